package dispatch

// recentAddrs keeps the sender and the first recipients of the session's
// last transaction, so that the next one, when it names the same
// mailboxes (a client sending message after message from one sender to
// the same recipients, as a relay or a bulk sender does), records them
// without copying them out of the core's buffer again. The strings are
// shared with the Envelopes that held them: strings never change, so a
// hook that kept one still has what it kept.
type recentAddrs struct {
	sender     string
	recipients [recentRecipients]string
}

// recentRecipients is how many of a transaction's recipients are kept for
// the next one.
const recentRecipients = 4

// senderOf returns mailbox as a string, the last sender's own when equal.
func (r *recentAddrs) senderOf(mailbox []byte) string {
	return reuse(r.sender, mailbox)
}

// recipientOf returns mailbox, the transaction's recipient i, as a string:
// the last transaction's recipient i when equal.
func (r *recentAddrs) recipientOf(i int, mailbox []byte) string {
	if i >= recentRecipients {
		return string(mailbox)
	}
	return reuse(r.recipients[i], mailbox)
}

// noteRecipient keeps addr, accepted as the transaction's recipient i.
func (r *recentAddrs) noteRecipient(i int, addr string) {
	if i < recentRecipients {
		r.recipients[i] = addr
	}
}

// reuse returns prev when it holds b's bytes, else a copy of b.
func reuse(prev string, b []byte) string {
	if string(b) == prev {
		return prev
	}
	return string(b)
}
