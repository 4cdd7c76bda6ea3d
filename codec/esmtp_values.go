package codec

// The syntax of the values of DELIVERBY's BY= (RFC 2852), MT-PRIORITY=
// (RFC 6710) and RRVS= (RFC 7293). Each parser checks what its RFC's ABNF
// says and never allocates; what the values mean is the handler's affair.

// DeliverBy is a parsed BY= value (RFC 2852 §4): by-time ";" by-mode ["T"].
type DeliverBy struct {
	Seconds int64 // by-time: seconds from the message's arrival; may be <= 0 in mode N
	Mode    byte  // 'N' (notify) or 'R' (return), upper case
	Trace   bool  // the "T" trace modifier
}

// ParseDeliverBy parses BY='s value: by-time is an optionally signed
// decimal of 1 to 9 digits, by-mode N or R in any case, then an optional
// T. In mode R a by-time of zero or less is refused (RFC 2852 §4: the
// message would already be late, and R returns late messages).
func ParseDeliverBy(v []byte) (by DeliverBy, ok bool) {
	num, rest, found := cutByteMore(v, ';')
	if !found || len(rest) < 1 || len(rest) > 2 {
		return DeliverBy{}, false
	}
	secs, ok := parseSigned(num, 9)
	if !ok {
		return DeliverBy{}, false
	}
	by = DeliverBy{Seconds: secs, Mode: rest[0] &^ 0x20}
	if by.Mode != 'N' && by.Mode != 'R' {
		return DeliverBy{}, false
	}
	if len(rest) == 2 {
		if rest[1]&^0x20 != 'T' {
			return DeliverBy{}, false
		}
		by.Trace = true
	}
	if by.Mode == 'R' && by.Seconds <= 0 {
		return DeliverBy{}, false
	}
	return by, true
}

// parseSigned parses ["+" / "-"] 1*maxDigits DIGIT.
func parseSigned(b []byte, maxDigits int) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > maxDigits {
		return 0, false
	}
	n, ok := ParseSize(b)
	if neg {
		n = -n
	}
	return n, ok
}

// ParseMTPriority parses MT-PRIORITY='s value (RFC 6710 §6): an optionally
// signed single digit, -9 to 9.
func ParseMTPriority(v []byte) (int, bool) {
	n, ok := parseSigned(v, 1)
	return int(n), ok
}

// ParseRRVS checks RRVS='s value (RFC 7293 §3.1): an RFC 3339 date-time,
// then optionally ";C" (continue) or ";R" (reject), in any case. It returns
// the date-time's bytes, for a caller that parses them with a clock at
// hand, and the action, 'C' when none is given (the RFC's default).
func ParseRRVS(v []byte) (dateTime []byte, action byte, ok bool) {
	dateTime, act, hasAction := cutByteMore(v, ';')
	action = 'C'
	if hasAction {
		if len(act) != 1 || act[0]&^0x20 != 'C' && act[0]&^0x20 != 'R' {
			return nil, 0, false
		}
		action = act[0] &^ 0x20
	}
	if !isDateTime(dateTime) {
		return nil, 0, false
	}
	return dateTime, action, true
}

// isDateTime checks RFC 3339 §5.6's date-time: full-date "T" partial-time
// time-offset, "T" and "Z" in any case, with the fields' ranges (a leap
// second's 60 allowed; the day is not checked against its month).
func isDateTime(b []byte) bool {
	const layout = "dddd-dd-ddTdd:dd:dd"
	if len(b) < len(layout)+1 {
		return false
	}
	for i := 0; i < len(layout); i++ {
		switch want := layout[i]; {
		case want == 'd' && !isDigit(b[i]), want == 'T' && b[i]|0x20 != 't', want != 'd' && want != 'T' && b[i] != want:
			return false
		}
	}
	if !inRange(b[5:7], 1, 12) || !inRange(b[8:10], 1, 31) || !inRange(b[11:13], 0, 23) ||
		!inRange(b[14:16], 0, 59) || !inRange(b[17:19], 0, 60) {
		return false
	}
	rest := b[len(layout):]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == 1 {
			return false
		}
		rest = rest[n:]
	}
	return isTimeOffset(rest)
}

// isTimeOffset checks "Z" or ("+" / "-") time-hour ":" time-minute.
func isTimeOffset(b []byte) bool {
	if len(b) == 1 {
		return b[0]&^0x20 == 'Z'
	}
	return len(b) == 6 && (b[0] == '+' || b[0] == '-') && b[3] == ':' &&
		isDigit(b[1]) && isDigit(b[2]) && isDigit(b[4]) && isDigit(b[5]) &&
		inRange(b[1:3], 0, 23) && inRange(b[4:6], 0, 59)
}

func isDigit(ch byte) bool { return ch >= '0' && ch <= '9' }

// inRange reports whether the two digits in b spell a number in [lo, hi].
func inRange(b []byte, lo, hi int) bool {
	n := int(b[0]-'0')*10 + int(b[1]-'0')
	return n >= lo && n <= hi
}
