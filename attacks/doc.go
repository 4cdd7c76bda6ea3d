// Package attacks is gosmtpd's hostile-input suite: every row of the attack
// list (ATTACKS.md at the repository's root, T-01 .. T-49: SMTP smuggling,
// STARTTLS injection, slow and silent clients, huge lines and messages,
// floods, PROXY and AUTH abuse, handler faults, shutdown, BDAT, LMTP,
// Maildir, pathological headers, fuzzing, and the gosmtpd command's
// defaults facing the internet) is a test that fails if gosmtpd's
// behaviour regresses.
//
// The tests run the real server: a gosmtpd.Server on loopback (a Unix
// socket for LMTP), or transport.ServeConn over net.Pipe where a setting
// is only a transport option (MinDataRate) or the writes must be counted.
// Timeouts are configured short on the server rather than waited out. The
// memory rows measure honestly: runtime.MemStats.TotalAlloc, every byte
// allocated while the attack runs, garbage included (an upper bound on the
// heap's growth), and VmHWM of a separate server process
// (internal/loadserver, built without -race) for idle connections and file
// descriptor exhaustion. Rows T-38 to T-49 attack the gosmtpd command
// itself, built once without -race, with its default flags (under
// prlimit for a lower descriptor limit); ATTACKS_GOSMTPD names another
// build to attack instead, to measure it. TestMain checks for leaked
// goroutines; run the suite with -race.
//
// Where a row is already asserted elsewhere, the index names that test
// too: fsm transcripts (fsm/testdata/transcripts/NAME.txt, run by
// fsm.TestTranscripts) and transport tests. Rows marked "differs" are
// where gosmtpd chooses otherwise than the row, on purpose; the test
// asserts gosmtpd's behaviour.
//
//	row   tests here                                        also
//	T-01  TestSmugglingFakeEndOfDataIsData,                 transcripts cve-2023-51764-smuggling-*
//	      TestSmugglingStrictModeRefusesTheMessage
//	T-02  TestBareCRLFInCommandLine, TestBareLFInCommandLineStrict  transcripts exim-cve-2020-28021-bare-lf-*
//	T-03  TestSTARTTLSPlaintextInjection                    transcript cve-2011-0411-starttls-injection
//	T-04  TestSTARTTLSResetsTheSession                      transcript rfc3207-4.2-state-reset
//	T-05  TestTLSHandshakeGarbage, TestSMTPSPortPlaintext   transcript rfc3207-4-starttls-handshake-fails
//	T-06  TestSlowlorisCommandTrickle                       transport TestCommandDeadlineIsNotRenewedByBytes
//	T-07  TestSlowDATABelowMinimumRate                      transport TestMinDataRate
//	T-08  TestIdleTimeout                                   transcript rfc5321-4.5.3.2-idle-timeout
//	T-09  TestTenThousandIdleConnections (differs: 421 4.3.2, not 4.7.0, beyond the cap),
//	      TestConnectionsBeyondTheCap
//	T-10  TestPerClientConnectionCap
//	T-11  TestFileDescriptorExhaustion
//	T-12  TestHugeCommandLine (differs: discards to the end of the line, then 500; no close)
//	                                                        transcript rfc5321-4.5.3.1.4-line-too-long
//	T-13  TestHugeTextLine                                  transcript rfc5321-4.5.3.1.6-line-too-long
//	T-14  TestGiantMessageToSinkInFlatMemory,               transcripts rfc1870-size-too-big, rfc1870-message-too-big
//	      TestGiantMessagePastTheLimit
//	T-15  TestSmugglingAfterSizeOverflow                    transcript chasquid-smuggling-after-size-overflow
//	T-16  TestRecipientFlood                                transcript rfc5321-4.5.3.1.8-too-many-recipients
//	T-17  TestErrorFlood, TestUnknownCommandFlood,          transcripts rfc5321-4.3.2-too-many-errors,
//	      TestNOOPFlood, TestJunkCommands                   aiosmtpd-command-call-limit, postfix-junk-command-limit
//	T-18  TestCrossProtocolHTTP (500 5.5.1 and close)       transcripts alpaca-http-request, alpaca-http-post
//	T-19  TestBytesBeforeGreeting,                          transcripts rfc2920-bytes-before-greeting,
//	      TestBodyPipelinedAfterRefusedDATA                  rfc2920-3.1-pipelined-all-refused-body-is-commands
//	      (differs: no strict pipelining mode)
//	T-20  TestLegitimatePipelining                          transport TestPipelinedRepliesInOneWrite
//	T-21  TestClientNeverReadsReplies                       transport TestClientNeverReads
//	T-22  TestProxyHeaderFromUntrustedPeer,
//	      TestProxyHeaderAbuse, TestProxyV2WithAWSTLVs        fuzz FuzzProxyHeader
//	T-23  TestAuthNeedsEncryption,                          transcripts rfc4954-4-auth-needs-tls, -response-too-long,
//	      TestAuthMalformedExchanges (differs: an            -cancel, -bad-base64, -bad-credentials
//	      over-long AUTH line gets 500 5.5.6 and the
//	      session goes on), TestAuthBruteForce (421 after 3)
//	T-24  TestAuthRequired                                  transcript rfc4954-4-auth-required
//	T-25  TestNonASCIIEnvelope (553 5.6.7 for both)         transcripts rfc6531-invalid-utf8, rfc6531-non-ascii-not-offered
//	T-26  TestNULBytes, TestMaildirConcurrentDeliveries     transcripts nul-in-command, rfc5321-4.1.1.4-nul-byte-kept
//	T-27  TestClientResetMidDATA                            transport TestClientVanishesMidDATA
//	T-28  TestHandlerPanics (421 4.3.0 and close)           transport TestHandlerPanic
//	T-29  TestSlowHandler, TestShutdownWithAStuckHandler    transport TestSlowHandlerTimesOut,
//	                                                         TestSlowDATAHandlerGetsNo250, TestImmediateStopDuringAHook
//	T-30  TestGracefulShutdownMidDATA                       transport TestGracefulStopDuringDATA,
//	                                                         TestImmediateStopDuringDATA; transcript shutdown-during-data
//	T-31  TestBDATBeforeMAIL, TestBDATCoalescedChunks,      transcripts rfc3030-2-bdat-before-mail-consumes-chunk,
//	      TestBDATPastTheLimit                               rfc3030-2-bdat-coalesced, rfc3030-2-bdat-too-big
//	T-32  TestReplyAndLogInjection                          transport TestHookReplies
//	T-33  TestOutOfSequenceCommands                         transcripts rfc5321-4.1.1.3-rcpt-before-mail,
//	                                                         rfc5321-4.1.1.4-data-before-rcpt, rfc5321-4.1.1.2-mail-nested
//	T-34  TestLMTPPerRecipientReplies                       transcripts rfc2033-4.1-ehlo-refused-in-lmtp,
//	                                                         rfc2033-4.2-lmtp-one-fails
//	T-35  TestMaildirPartialMessage, TestMaildirWriteFailure,
//	      TestMaildirConcurrentDeliveries
//	T-36  TestPathologicalHeaders (an unfolded 1 MiB line is refused by the text line limit first)
//	T-37  (every whole-server fuzzer is in package fuzz:   codec Fuzz* (command, path, params, reply, base64,
//	      FuzzServer, FuzzServerSocket, FuzzSession,        dot-stuffing), fsm FuzzCore, FuzzSplit, FuzzOracle
//	      FuzzProxyHeader, FuzzAuth)
//	T-38  TestOneAddressOpensManyIdleConnections
//	T-39  TestManyAddressesFillTheDerivedCap
//	T-40  TestTrickledDATAIsCutOff
//	T-41  TestAuthTimingDoesNotTellUsers                    handlers TestHtpasswdSameWorkForEveryUser
//	T-42  TestAuthFloodLeavesRoomForOthers
//	T-43  TestAuthBruteForceIsSlowedAndLogged               gosmtpd TestAuthFailureDelay, cmd/gosmtpd TestFail2banFilter
//	T-44  TestJunkCommands                                  transcripts postfix-junk-command-limit, postfix-recipient-overshoot-limit
//	T-45  TestProxyHeadersFromTrustedPeersOnly
//	T-46  TestIPv6ClientsGroupedBySlash64                   gosmtpd TestClientGrouping
//	T-47  TestMailboxRefusesWhatWouldFillTheDisk            handlers TestMailboxKeepsFreeSpace
//	T-48  TestDebuggingEscapesOnATerminal                   handlers TestEscapingWriter
//	T-49  TestCertificateReloadOnSIGHUP                     transport/tls TestKeyPairReload
package attacks
