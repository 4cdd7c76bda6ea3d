package fsm

// Rules of this file: BDAT (RFC 3030). A chunk is counted by length, never
// parsed, and is always consumed, even when its BDAT is refused, so that the
// command stream never desynchronises (go-smtp issue #315). A non-LAST chunk
// gets 250 when accepted; the LAST one gets the message's final reply.

import "github.com/gosmtpd/gosmtpd/codec"

func (c *Conn) bdat(cmd codec.Command, _ error) (step, bool) {
	if !c.cfg.offers(ExtChunking) {
		return c.bdatNotOffered(cmd)
	}
	size, last, ok := codec.ParseBDAT(cmd.Arg)
	if !ok {
		// Without a size the chunk cannot be skipped: what follows is read
		// as commands, and the error limit ends a confused session.
		return c.refuse(replySyntaxBDAT)
	}
	c.txn.chunkLeft, c.txn.chunkLast = size, last
	c.phase = phaseChunk
	if rep, refused := c.gate(codec.VerbBDAT); refused {
		c.txn.chunkRefusal = rep
		return step{}, false
	}
	c.txn.chunkRefusal = codec.Reply{}
	if c.state == StateRcpt {
		c.state = StateChunking
	}
	c.txn.got += size
	if c.cfg.maxSize > 0 && c.txn.got > c.cfg.maxSize && c.txn.abandon == nil {
		return c.abandon(ErrMessageTooBig, replyTooMuchData)
	}
	return step{}, false
}

// bdatNotOffered answers BDAT when CHUNKING is not offered as any unknown
// command is answered (500, counted towards the unknown-command limit), but
// after consuming the chunk when its size parses: a client that sends BDAT
// all the same would otherwise have its message read as commands, a
// desynchronisation that smuggles the message's lines in as commands.
func (c *Conn) bdatNotOffered(cmd codec.Command) (step, bool) {
	rep, open := c.unrecognized(cmd)
	if !open {
		return step{}, false
	}
	size, last, ok := codec.ParseBDAT(cmd.Arg)
	if !ok {
		return c.refuse(rep)
	}
	c.txn.chunkLeft, c.txn.chunkLast, c.txn.chunkRefusal = size, last, rep
	c.phase = phaseChunk
	return step{}, false
}

// stepChunk hands out the buffered bytes of the current chunk.
func (c *Conn) stepChunk() (step, bool) {
	if c.txn.chunkLeft == 0 {
		return c.endChunk()
	}
	avail := min(int64(c.w-c.r), c.txn.chunkLeft)
	if avail == 0 {
		return needData, true
	}
	data := c.in[c.r : c.r+int(avail)]
	c.r += int(avail)
	c.txn.chunkLeft -= avail
	if !c.txn.chunkRefusal.IsZero() || c.txn.abandon != nil {
		return step{}, false
	}
	return step{kind: ActBody, data: data}, c.cfg.hooks.Has(HookDATA)
}

// endChunk answers a BDAT once its chunk is consumed.
func (c *Conn) endChunk() (step, bool) {
	c.phase = phaseCommand
	switch {
	case !c.txn.chunkRefusal.IsZero():
		return c.refuse(c.txn.chunkRefusal)
	case c.txn.chunkLast:
		c.phase = phaseDataEnd
	case c.txn.abandon != nil:
		c.queue(c.txn.bodyErr)
	default:
		c.queue(replyChunkOK)
	}
	return step{}, false
}
