/**
 * Preload for the sandboxed, context-isolated main window: exposes the Bridge as
 * `window.evalnotes` and nothing else.
 * https://www.electronjs.org/docs/latest/tutorial/security
 * https://www.electronjs.org/docs/latest/tutorial/context-isolation
 * https://www.electronjs.org/docs/latest/api/context-bridge
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './api';

contextBridge.exposeInMainWorld('evalnotes', createBridge(ipcRenderer, (file) => webUtils.getPathForFile(file)));
