import { useBundlesStore } from './bundlesStore';
import { useEngagementsStore } from './engagementsStore';
import { useFindingsStore } from './findingsStore';
import { useImportsStore } from './importsStore';
import { useKeysStore } from './keysStore';
import { useNotesStore } from './notesStore';
import { usePaletteStore } from './paletteStore';
import { useReviewsStore } from './reviewsStore';
import { useRunsStore } from './runsStore';
import { useSummaryStore } from './summaryStore';
import { useThresholdsStore } from './thresholdsStore';

/**
 * Drops everything the window holds of the workspace once it is locked (by the
 * person, or by itself after idle time): nothing sensitive stays in memory,
 * thresholds above all. The screens fetch again after the next unlock.
 */
export function forgetWorkspaceData(): void {
  useEngagementsStore.getState().reset();
  useRunsStore.getState().reset();
  useThresholdsStore.getState().reset();
  useImportsStore.getState().reset();
  useFindingsStore.getState().reset();
  useNotesStore.getState().reset();
  useKeysStore.getState().reset();
  useBundlesStore.getState().reset();
  useSummaryStore.getState().reset();
  useReviewsStore.getState().reset();
  usePaletteStore.getState().hide();
}
