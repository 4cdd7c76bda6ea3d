// Package jetstream hands each message a gosmtpd server accepts to a NATS
// JetStream stream before the client is told 250, so that a fleet of
// receivers behind a TCP balancer loses no mail when one of them dies: the
// message lives in a replicated stream, not on the receiver's disk.
//
// It is a Go module of its own, so that the gosmtpd library's dependencies
// stay few; it uses nats.go's jetstream package.
//
// # What a 250 means
//
// Handler answers 250 only after the stream acknowledged the message: for a
// stream of R replicas, once a majority of them stored it (with file
// storage, written; whether synced to disk depends on the servers'
// sync_interval). Without an acknowledgement within Handler.Timeout the
// client gets 451 4.3.0 and keeps the message. A message is published only
// once it has arrived whole, so a client or receiver that dies during DATA
// leaves nothing in the stream.
//
// Every try to publish a transaction's message carries the same
// Nats-Msg-Id, 128 random bits, so the stream stores it once however many
// tries its acknowledgement took (within the stream's duplicate window,
// two minutes by default). As with any SMTP server, a client that gets no
// reply at all (the connection broke after the message was stored) sends
// the message again as a new transaction: a consumer that must never
// deliver twice deduplicates by Message-ID.
//
// # The published message
//
// The payload is the message exactly as received: dot-unstuffed, CRLF line
// ends, no header added. The envelope is in NATS headers, paths written as
// in SMTP with their parameters:
//
//	Nats-Msg-Id:        6f1c...e2 (LMTP: 6f1c...e2.1, .2, ... per recipient)
//	Gosmtpd-Id:         6f1c...e2
//	Gosmtpd-Mail-From:  <alice@example.com> SIZE=1234 BODY=8BITMIME
//	Gosmtpd-Rcpt-To:    <bob@example.net> NOTIFY=FAILURE   (one per recipient)
//	Gosmtpd-Client:     192.0.2.7:50124
//	Gosmtpd-Helo:       mail.example.com
//	Gosmtpd-Tls:        TLS 1.3 TLS_AES_128_GCM_SHA256
//	Gosmtpd-Auth:       alice
//	Gosmtpd-Received:   2026-12-06T08:30:00.123456Z
//	Gosmtpd-Receiver:   mx1 42
//	Gosmtpd-Size:       1234
//	Gosmtpd-Object:     6f1c...e2   (only when the text is in the bucket)
//
// A message larger than one NATS message can carry (the servers'
// max_payload, 1 MiB by default, less the headers) is put first in an
// object store, in chunks, each acknowledged; the stream message, with an
// empty payload and Gosmtpd-Object, is published only after. Give the
// object store the stream's replicas and a max age longer than a message
// may wait for delivery: consumers do not delete objects. ParseMessage and
// Open read a published message back, whichever way it travelled.
//
// # LMTP
//
// In LMTP each recipient gets its own stream message (its own
// Nats-Msg-Id, one Gosmtpd-Rcpt-To) and the verdict of its own
// publication (RFC 2033 §4.2).
//
// # Consuming
//
// Deliver runs a durable pull consumer: each message is handed to a
// DeliverFunc (Maildir writes into a Maildir, LMTP hands it to a local
// delivery agent) and acknowledged only once the delivery returned, with
// the server's confirmation awaited.
package jetstream
