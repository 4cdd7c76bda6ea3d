package codec

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
func (p *Params) Get(key string) (value []byte, ok bool) { panic("TODO") }

// ParseParams parses space-separated esmtp-param items (RFC 5321 §4.1.2):
// keyword = ALPHA/DIGIT *(ALPHA/DIGIT/"-"), value = 1*(%d33-60 / %d62-126),
// plus UTF-8 in values when utf8 is true. It returns ErrBadSyntax for a
// malformed item or more than MaxParams. It never allocates.
func ParseParams(s []byte, utf8 bool) (Params, error) { panic("TODO") }

// ParseSize parses the decimal value of SIZE= or BDAT's chunk size; at most
// 20 digits and no overflow, else ok is false.
func ParseSize(s []byte) (n int64, ok bool) { panic("TODO") }

// DecodeXtext decodes an RFC 3461 xtext (AUTH=, ENVID=) in place and returns
// the decoded prefix of s, or ok false when it is malformed.
func DecodeXtext(s []byte) (out []byte, ok bool) { panic("TODO") }

// EqualFold reports whether b equals the ASCII string s, ignoring ASCII case.
func EqualFold(b []byte, s string) bool { panic("TODO") }
