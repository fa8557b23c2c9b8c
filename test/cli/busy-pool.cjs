// Preloaded into `netc check --watch` by watch.test.ts (with UV_THREADPOOL_SIZE=1):
// at the first open of a .net file, one hashing job holds libuv's only pool thread
// for a second or more, as a loaded machine would delay it. Any stat the watcher
// queues on the pool then runs after the test's save, not before it.
const fs = require("node:fs");
const open = fs.openSync;
let started = false;
fs.openSync = function (path, ...rest) {
  if (!started && String(path).endsWith(".net")) {
    started = true;
    require("node:crypto").pbkdf2("netc", "watch", 10_000_000, 32, "sha256", () => {});
    // The test looks for this line: without it, the preload did nothing and the test proves nothing.
    process.stderr.write("busy-pool: holding the thread pool\n");
  }
  return open.call(this, path, ...rest);
};
// The CLI imports openSync as an ES module binding: make it see the wrapper.
require("node:module").syncBuiltinESMExports();
