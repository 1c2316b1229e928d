/**
 * The empty space a virtualized table keeps above or below the rows it renders,
 * so the scrollbar stays the size of the whole list. Nothing when there is none.
 */
export function SpacerRow({ height, columns }: { height: number; columns: number }) {
  if (height <= 0) return null;
  return (
    <tr aria-hidden="true" className="spacer-row">
      <td colSpan={columns} style={{ height }} />
    </tr>
  );
}
