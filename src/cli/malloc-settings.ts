/**
 * bin/amtsbote starts the gateway with MALLOC_MMAP_THRESHOLD_ set, because glibc reads its malloc settings only
 * when a process starts (issue 19, F4: without it, large submissions leave tens of megabytes in the process
 * heap). A gateway started some other way (`node dist/src/cli.js serve`, a unit file of one's own) works the
 * same but holds more memory at its peak; this says so once at start, where an operator looks.
 */
export function mallocSettingsNote(env: NodeJS.ProcessEnv, glibc: boolean): string | undefined {
  if (!glibc || env.MALLOC_MMAP_THRESHOLD_ !== undefined) return undefined;
  return (
    'started without MALLOC_MMAP_THRESHOLD_: glibc keeps freed large buffers, so large submissions cost more ' +
    'peak memory; start the gateway with bin/amtsbote (amtsbote serve, npm start), which sets it'
  );
}

/** Whether this process runs on glibc (whose malloc the setting is for; musl and others ignore it). */
export function runsOnGlibc(): boolean {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: unknown } };
  return typeof report.header?.glibcVersionRuntime === 'string';
}
