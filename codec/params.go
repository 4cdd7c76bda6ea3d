package codec

import (
	"bytes"
	"math"
)

// MaxParams is how many ESMTP parameters one MAIL or RCPT may carry. More is
// a syntax error: the bound keeps Params allocation-free.
const MaxParams = 16

// Param is one ESMTP parameter, keyword=value or a bare keyword (Value nil).
// Both slices point into the parsed argument.
type Param struct {
	Key   []byte
	Value []byte
}

// Params is the list of ESMTP parameters of one MAIL or RCPT, held inline.
type Params struct {
	list [MaxParams]Param
	n    int
}

// Len returns the number of parameters.
func (p *Params) Len() int { return p.n }

// At returns parameter i.
func (p *Params) At(i int) Param { return p.list[i] }

// Get returns the value of the parameter whose keyword equals key
// (ASCII case-insensitive) and whether it is present.
func (p *Params) Get(key string) (value []byte, ok bool) {
	for i := 0; i < p.n; i++ {
		if EqualFold(p.list[i].Key, key) {
			return p.list[i].Value, true
		}
	}
	return nil, false
}

// ParseParams parses space-separated esmtp-param items (RFC 5321 §4.1.2):
// keyword = ALPHA/DIGIT *(ALPHA/DIGIT/"-"), value = 1*(%d33-60 / %d62-126),
// plus UTF-8 in values when utf8 is true. It returns ErrBadSyntax for a
// malformed item or more than MaxParams. It never allocates.
func ParseParams(s []byte, utf8 bool) (Params, error) {
	var p Params
	for len(s) > 0 {
		item := s
		if i := bytes.IndexByte(s, ' '); i >= 0 {
			item, s = s[:i], s[i+1:]
		} else {
			s = nil
		}
		if len(item) == 0 {
			continue // several spaces between parameters
		}
		if p.n == MaxParams {
			return p, ErrBadSyntax
		}
		param, ok := parseParam(item, utf8)
		if !ok {
			return p, ErrBadSyntax
		}
		p.list[p.n] = param
		p.n++
	}
	return p, nil
}

func parseParam(item []byte, utf8 bool) (Param, bool) {
	key, value := item, []byte(nil)
	if i := bytes.IndexByte(item, '='); i >= 0 {
		key, value = item[:i], item[i+1:]
		if len(value) == 0 {
			return Param{}, false
		}
	}
	if len(key) == 0 || !isAlnum(key[0]) {
		return Param{}, false
	}
	for _, ch := range key {
		if !isAlnum(ch) && ch != '-' {
			return Param{}, false
		}
	}
	for _, ch := range value {
		if ch < 33 || ch == '=' || ch == 127 || (ch > 127 && !utf8) {
			return Param{}, false
		}
	}
	return Param{Key: key, Value: value}, true
}

func isAlnum(ch byte) bool {
	return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
}

// ParseSize parses the decimal value of SIZE= or BDAT's chunk size; at most
// 20 digits and no overflow, else ok is false.
func ParseSize(s []byte) (n int64, ok bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := int64(ch - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// DecodeXtext decodes an RFC 3461 xtext (AUTH=, ENVID=) in place and returns
// the decoded prefix of s, or ok false when it is malformed.
func DecodeXtext(s []byte) (out []byte, ok bool) {
	w := 0
	for r := 0; r < len(s); r++ {
		ch := s[r]
		switch {
		case ch == '+':
			if r+2 >= len(s) {
				return nil, false
			}
			hi, ok1 := unhex(s[r+1])
			lo, ok2 := unhex(s[r+2])
			if !ok1 || !ok2 {
				return nil, false
			}
			ch = hi<<4 | lo
			r += 2
		case ch < 33 || ch > 126 || ch == '=':
			return nil, false
		}
		s[w] = ch
		w++
	}
	return s[:w], true
}

// unhex decodes an upper-case hex digit (RFC 3461 §4: hexchar is upper case).
func unhex(ch byte) (byte, bool) {
	switch {
	case ch >= '0' && ch <= '9':
		return ch - '0', true
	case ch >= 'A' && ch <= 'F':
		return ch - 'A' + 10, true
	}
	return 0, false
}

// EqualFold reports whether b equals the ASCII string s, ignoring ASCII case.
func EqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}
