// While a write is in progress, SIGINT, SIGTERM and SIGHUP first undo it (remove
// temporary files, put back replaced files) and then take their usual course:
// the handler removes itself and raises the signal again, so the process ends
// as if it had not been caught (exit status 130, 143, 129). If the program has
// signal handlers of its own, they decide instead; the interrupted write fails.
// process.exit() during a write undoes it too.

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface Undoable {
  /** Synchronous: it runs inside a signal or exit handler. */
  undo(reason: string): void;
}

const active = new Set<Undoable>();

function onSignal(signal: NodeJS.Signals): void {
  undoAll(`interrupted by ${signal}`);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  undoAll("the process exited");
}

function undoAll(reason: string): void {
  const jobs = [...active];
  active.clear();
  uninstall();
  for (const j of jobs) j.undo(reason);
}

function install(): void {
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on("exit", onExit);
}

function uninstall(): void {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.removeListener("exit", onExit);
}

/** Registers a write; the returned function unregisters it. */
export function guard(job: Undoable): () => void {
  if (active.size === 0) install();
  active.add(job);
  return () => {
    if (active.delete(job) && active.size === 0) uninstall();
  };
}
