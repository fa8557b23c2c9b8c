// Progress of `netc infer` on stderr: which stage it is in (loading, warm-up,
// timed runs) and how far, so a 45-second benchmark is not 45 silent seconds.
// Only on a terminal: a pipe or a log file gets nothing, and --json output is
// never mixed with it.

import cliProgress from "cli-progress";

export interface Progress {
  /** A stage without steps ("loading model.onnx on cuda"): one status line, replaced by the next. */
  note(text: string): void;
  /** A stage of `total` steps. */
  stage(name: string, total: number): void;
  tick(): void;
  /** Clears whatever is shown, before the result is printed. */
  stop(): void;
}

const quiet: Progress = { note() {}, stage() {}, tick() {}, stop() {} };

export function inferProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return quiet;
  let bar: cliProgress.SingleBar | undefined;
  let noted = false;
  const clearNote = () => {
    if (noted) stream.write("\r\u001b[K");
    noted = false;
  };
  const end = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    note(text) {
      end();
      clearNote();
      stream.write(`${text}...`);
      noted = true;
    },
    stage(name, total) {
      end();
      clearNote();
      bar = new cliProgress.SingleBar(
        { stream, format: `${name} {bar} {value}/{total} | {eta_formatted} left`, hideCursor: true, clearOnComplete: true, etaBuffer: 5 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    tick() {
      bar?.increment();
    },
    stop() {
      end();
      clearNote();
    },
  };
}
