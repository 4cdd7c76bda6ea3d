package dispatch

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// hookInterfaces are the interfaces through which a handler is called, each
// found by a type assertion: a method that misses one by its name's case or
// by its signature is never called, silently.
var hookInterfaces = []reflect.Type{
	reflect.TypeFor[hooks.HELOHandler](),
	reflect.TypeFor[hooks.EHLOHandler](),
	reflect.TypeFor[hooks.LHLOHandler](),
	reflect.TypeFor[hooks.MAILHandler](),
	reflect.TypeFor[hooks.RCPTHandler](),
	reflect.TypeFor[hooks.DATAHandler](),
	reflect.TypeFor[hooks.LMTPHandler](),
	reflect.TypeFor[hooks.RSETHandler](),
	reflect.TypeFor[hooks.NOOPHandler](),
	reflect.TypeFor[hooks.QUITHandler](),
	reflect.TypeFor[hooks.VRFYHandler](),
	reflect.TypeFor[hooks.CommandHandler](),
	reflect.TypeFor[hooks.PROXYHandler](),
	reflect.TypeFor[hooks.ConnectHandler](),
	reflect.TypeFor[hooks.CloseHandler](),
	reflect.TypeFor[hooks.STARTTLSHandler](),
	reflect.TypeFor[hooks.ExceptionHandler](),
	reflect.TypeFor[hooks.Authenticator](),
	reflect.TypeFor[Discarder](),
}

// CheckHandler refuses a handler that would be served otherwise than its
// author meant: one that implements no hook at all (every message would get
// 250 and be thrown away), or one with a method that looks like a hook but
// is not one: a name in the wrong case (HandleData), a wrong signature, or
// methods on the pointer while the handler was passed by value. Go's
// compiler and vet accept all of these. A nil handler is fine: it is the
// documented "accept and discard". The error names every such method. A
// handler wrapped in hooks.Abandoning is checked as the handler it wraps.
func CheckHandler(h hooks.Handler) error {
	if h, _ = unwrap(h); h == nil {
		return nil
	}
	t := reflect.TypeOf(h)
	var problems []string
	implements := false
	for _, iface := range hookInterfaces {
		if t.Implements(iface) {
			implements = true
			continue
		}
		problems = append(problems, lookAlikes(t, iface)...)
	}
	switch {
	case len(problems) > 0:
		return fmt.Errorf("handler %v: %s", t, strings.Join(problems, "; "))
	case !implements:
		return fmt.Errorf("handler %v implements no hook (HandleDATA, HandleRCPT, ...): "+
			"every message would be accepted and discarded; pass nil for that", t)
	}
	return nil
}

// lookAlikes describes the methods of t that look like those of iface
// without implementing it.
func lookAlikes(t, iface reflect.Type) []string {
	var problems, missing []string
	for i := range iface.NumMethod() {
		want := iface.Method(i)
		m, ok := t.MethodByName(want.Name)
		onPointer := false
		if !ok && t.Kind() != reflect.Pointer {
			m, ok = reflect.PointerTo(t).MethodByName(want.Name)
			onPointer = ok
		}
		switch {
		case ok && !sameSignature(m.Type, want.Type):
			problems = append(problems, fmt.Sprintf("%s is %s, want %s", want.Name, signature(m.Type), want.Type))
		case onPointer:
			problems = append(problems, fmt.Sprintf("%s has a pointer receiver: pass a pointer (&%s{...}), not a value",
				want.Name, t.Name()))
		case !ok:
			missing = append(missing, want.Name)
			if name, found := sameButCase(t, want.Name); found {
				problems = append(problems, fmt.Sprintf("%s looks like %s (hook names are case-sensitive)", name, want.Name))
			}
		}
	}
	if len(missing) < iface.NumMethod() && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("%s needs %s too", iface, strings.Join(missing, " and ")))
	}
	return problems
}

// sameButCase finds a method of t (or of *t) whose name is want's but for
// its case and underscores ("HandleData", "Handle_DATA").
func sameButCase(t reflect.Type, want string) (string, bool) {
	fold := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	for _, typ := range []reflect.Type{t, reflect.PointerTo(t)} {
		for i := range typ.NumMethod() {
			if name := typ.Method(i).Name; name != want && fold(name) == fold(want) {
				return name, true
			}
		}
	}
	return "", false
}

// sameSignature compares a method's type (its receiver first) with an
// interface method's type (no receiver).
func sameSignature(method, want reflect.Type) bool {
	if method.NumIn() != want.NumIn()+1 || method.NumOut() != want.NumOut() || method.IsVariadic() != want.IsVariadic() {
		return false
	}
	for i := range want.NumIn() {
		if method.In(i+1) != want.In(i) {
			return false
		}
	}
	for i := range want.NumOut() {
		if method.Out(i) != want.Out(i) {
			return false
		}
	}
	return true
}

// signature renders a method's type without its receiver.
func signature(method reflect.Type) string {
	in := make([]string, 0, method.NumIn())
	for i := 1; i < method.NumIn(); i++ {
		in = append(in, method.In(i).String())
	}
	out := make([]string, 0, method.NumOut())
	for i := range method.NumOut() {
		out = append(out, method.Out(i).String())
	}
	s := "func(" + strings.Join(in, ", ") + ")"
	switch len(out) {
	case 0:
		return s
	case 1:
		return s + " " + out[0]
	}
	return s + " (" + strings.Join(out, ", ") + ")"
}
