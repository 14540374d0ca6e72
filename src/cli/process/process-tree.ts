/** Parent/child tables of processes, from either platform's listing. */

/** Lines of `<pid> <parentPid>` (as `ps -A -o pid=,ppid=` prints them) → children of each parent. */
export function parsePidPairs(text: string): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const line of text.split(/\r?\n/)) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid || ppid === undefined || Number.isNaN(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  return children;
}

/** All descendants of `pid` in the table, children before grandchildren. */
export function descendantsIn(table: Map<number, number[]>, pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of table.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
