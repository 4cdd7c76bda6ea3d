package codec

import "unicode/utf8"

// MaxParams is how many ESMTP parameters one MAIL or RCPT may carry. More is
// a syntax error: the bound keeps Params allocation-free.
const MaxParams = 16

// Param is one ESMTP parameter, keyword=value or a bare keyword (Value nil).
// Both slices point into the argument passed to ParseParams and are valid as
// long as it is.
type Param struct {
	Key   []byte
	Value []byte
}

// Params is the list of ESMTP parameters of one MAIL or RCPT, held inline
// (no allocation), in the order sent.
type Params struct {
	list [MaxParams]Param
	n    int
}

// Len returns the number of parameters.
func (p *Params) Len() int { return p.n }

// At returns parameter i, 0 <= i < Len().
func (p *Params) At(i int) Param { return p.list[:p.n][i] }

// Get returns the value of the first parameter whose keyword equals key
// (ASCII case-insensitive) and whether there is one. A bare keyword has a nil
// value. It never allocates.
func (p *Params) Get(key string) (value []byte, ok bool) {
	for _, param := range p.list[:p.n] {
		if EqualFold(param.Key, key) {
			return param.Value, true
		}
	}
	return nil, false
}

// ParseParams parses the space-separated esmtp-param items of RFC 5321
// §4.1.2: keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"), value =
// 1*(%d33-60 / %d62-126), and, when allowUTF8 is true, valid UTF-8 in values
// (RFC 6531 §3.3). Runs of spaces between items are accepted. It returns
// ErrBadSyntax and empty Params for a malformed item or more than MaxParams.
// It never allocates.
func ParseParams(s []byte, allowUTF8 bool) (p Params, err error) {
	err = p.Parse(s, allowUTF8)
	return p, err
}

// Parse is ParseParams into p, which it replaces: Params is large (MaxParams
// inline), and a caller that keeps one, as the protocol core does, saves
// the copies of a returned value, and the stack they take.
func (p *Params) Parse(s []byte, allowUTF8 bool) error {
	p.n = 0
	for more := true; more; {
		var item []byte
		item, s, more = cutByteMore(s, ' ')
		if len(item) == 0 {
			continue
		}
		param, ok := parseParam(item, allowUTF8)
		if !ok || p.n == MaxParams {
			p.n = 0
			return ErrBadSyntax
		}
		p.list[p.n] = param
		p.n++
	}
	return nil
}

func parseParam(item []byte, allowUTF8 bool) (Param, bool) {
	key, value, hasValue := cutByteMore(item, '=')
	if !isKeyword(key) || hasValue && !isParamValue(value, allowUTF8) {
		return Param{}, false
	}
	return Param{Key: key, Value: value}, true
}

func isKeyword(k []byte) bool {
	if len(k) == 0 || !isAlnum(k[0]) {
		return false
	}
	for _, ch := range k {
		if !isAlnum(ch) && ch != '-' {
			return false
		}
	}
	return true
}

func isParamValue(v []byte, allowUTF8 bool) bool {
	if len(v) == 0 {
		return false
	}
	ascii := true
	for _, ch := range v {
		switch {
		case ch >= 0x80:
			ascii = false
		case ch < 33 || ch == '=' || ch == 0x7f:
			return false
		}
	}
	return ascii || allowUTF8 && utf8.Valid(v)
}

// ParseSize parses the decimal value of SIZE= (RFC 1870) or of BDAT's chunk
// size (RFC 3030): digits only, no sign, at most 20 of them, no overflow of
// int64; ok is false otherwise.
func ParseSize(s []byte) (n int64, ok bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := int64(ch - '0')
		if n > (maxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

const maxInt64 = 1<<63 - 1
