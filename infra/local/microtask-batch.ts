/**
 * Collects the items pushed during one turn of the event loop and hands them to `flush` as one
 * array from a microtask, so that a burst of thread messages costs one `postMessage`.
 */
export function microtaskBatch<Item>(flush: (items: Item[]) => void): (item: Item) => void {
  let items: Item[] = [];
  return (item) => {
    items.push(item);
    if (items.length > 1) return;
    queueMicrotask(() => {
      const batch = items;
      items = [];
      flush(batch);
    });
  };
}
