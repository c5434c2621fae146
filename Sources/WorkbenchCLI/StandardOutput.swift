// Line-buffered standard output, so that a run's per-epoch lines reach a log file (nohup, tee) as
// they are printed rather than when the process exits.
#if canImport(Glibc)
@preconcurrency import Glibc

func lineBufferStandardOutput() { setvbuf(stdout, nil, _IOLBF, 0) }
#else
func lineBufferStandardOutput() {}
#endif
