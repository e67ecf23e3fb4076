// In-process FIFO per project for submissions. The database row lock (SELECT … FOR UPDATE on the
// project) is what makes the quota check atomic across processes; this queue only keeps one process
// from parking all of its pool connections on that lock when many submissions for one project
// arrive at once (which would starve every other user of connections). Later arrivals wait here,
// without a connection, for the earlier ones of the same project.
const tails = new Map<string, Promise<unknown>>();

export async function withProjectQueue<T>(projectId: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(projectId) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  tails.set(projectId, tail);
  try {
    return await run;
  } finally {
    // The last one out removes the entry, so the map holds only projects with work in flight.
    if (tails.get(projectId) === tail) tails.delete(projectId);
  }
}
