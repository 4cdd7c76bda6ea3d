// Package load is the engine of the smtpload benchmark client: many
// concurrent SMTP or LMTP sessions, each a goroutine with its own minimal
// client, that send prebuilt messages as fast as the server answers and
// record the latency of every transaction.
//
// The client is deliberately cheap so that it is never the bottleneck of a
// comparison: every command, body and batch is built once before the run and
// shared read-only; replies are read from a reused buffer without copying;
// latencies go into fixed-size histograms. A steady-state transaction
// allocates nothing.
package load
