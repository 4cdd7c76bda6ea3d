package hooks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"
)

// handlerAPI is every name the package exports: what a handler author
// needs and nothing else. The machinery that calls handlers lives in an
// internal package; a name added here must be one a handler uses.
var handlerAPI = []string{
	"Abandoning", "Authenticator", "AuthenticatorFunc", "CloseHandler", "ConnectHandler", "CRAMMD5", "CRAMMD5Response", "Command",
	"CommandHandler", "Credentials", "DATAHandler", "DefaultMechanisms", "EHLOHandler",
	"Envelope", "EqualSecrets", "ErrBadCredentials", "ErrEncryptionRequired",
	"ErrHandlerTimeout", "ErrMechanismTooWeak", "ErrPasswordTransition", "ErrStopped",
	"ErrTemporaryFailure", "ExceptionHandler", "Exchange", "HELOHandler", "Handler",
	"LHLOHandler", "LMTPHandler", "Login", "MAILHandler", "MailParams", "ParseMailParams", "ParseRcptParams", "RcptParams", "Mechanism", "NOOPHandler",
	"PROXYHandler", "PanicError", "Passwords", "Plain", "ProxyInfo", "ProxyTLV",
	"QUITHandler", "RCPTHandler", "RSETHandler", "ReadMessage", "Reply",
	"STARTTLSHandler", "SecretFunc", "Secrets", "Session", "VRFYHandler", "Without",
}

// TestExportsOnlyTheHandlerAPI keeps `go doc` of the package to the handler
// API: a new exported package-level name fails here until it is listed.
func TestExportsOnlyTheHandlerAPI(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range pkgs["hooks"].Files {
		for _, d := range f.Decls {
			got = append(got, exported(d)...)
		}
	}
	slices.Sort(got)
	want := slices.Clone(handlerAPI)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("exported names:\n got %v\nwant %v", got, want)
	}
}

// exported returns the exported package-level names d declares.
func exported(d ast.Decl) []string {
	var names []string
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil && d.Name.IsExported() {
			names = append(names, d.Name.Name)
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				if s.Name.IsExported() {
					names = append(names, s.Name.Name)
				}
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.IsExported() {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}
