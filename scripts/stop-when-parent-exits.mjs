/**
 * Preloaded (`node --import`) into the parts that `npm start` and the tsx-CLI relay start
 * in process groups of their own: when the parent that relays signals to us dies (an IPC
 * disconnect), nobody can stop us any more, so we stop ourselves the clean way, with the
 * SIGTERM our own shutdown handles (#7). Without an IPC channel it does nothing.
 */
if (process.connected) {
  process.channel?.unref(); // the channel must not keep a finished process alive
  process.once("disconnect", () => {
    process.stderr.write("gradeline: the process that started this one is gone; stopping.\n");
    process.kill(process.pid, "SIGTERM");
  });
}
