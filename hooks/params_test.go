package hooks

import (
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
)

func TestParseMailParams(t *testing.T) {
	p := ParseMailParams([]string{"SIZE=1000", "body=8bitmime", "SMTPUTF8", "ret=hdrs", "ENVID=QQ+2B1",
		"REQUIRETLS", "BY=120;rt", "MT-PRIORITY=-3"})
	if p.Size != 1000 || p.Body != "8BITMIME" || !p.SMTPUTF8 || p.Ret != "HDRS" || p.EnvID != "QQ+1" || !p.RequireTLS {
		t.Errorf("got %+v", p)
	}
	if p.DeliverBy == nil || *p.DeliverBy != (codec.DeliverBy{Seconds: 120, Mode: 'R', Trace: true}) {
		t.Errorf("DeliverBy = %+v", p.DeliverBy)
	}
	if p.Priority == nil || *p.Priority != -3 {
		t.Errorf("Priority = %v", p.Priority)
	}
	if z := ParseMailParams(nil); z != (MailParams{}) {
		t.Errorf("no parameters: %+v", z)
	}
}

func TestParseRcptParams(t *testing.T) {
	p := ParseRcptParams([]string{"NOTIFY=SUCCESS,DELAY", "ORCPT=rfc822;bob+2Bold@example.com", "RRVS=2014-04-03T23:01:00.5-07:00;R"})
	if p.Notify != codec.NotifySuccess|codec.NotifyDelay || p.ORcptType != "rfc822" || p.ORcpt != "bob+old@example.com" {
		t.Errorf("got %+v", p)
	}
	want := time.Date(2014, 4, 4, 6, 1, 0, 5e8, time.UTC)
	if !p.RRVS.Equal(want) || p.RRVSAction != 'R' {
		t.Errorf("RRVS = %v %c, want %v R", p.RRVS, p.RRVSAction, want)
	}
	u := ParseRcptParams([]string{"ORCPT=utf-8;j\\x{F6}rg@example.com", "RRVS=2014-04-03t23:01:00z"})
	if u.ORcptType != "utf-8" || u.ORcpt != "jörg@example.com" || u.RRVSAction != 'C' || u.RRVS.IsZero() {
		t.Errorf("got %+v", u)
	}
	u = ParseRcptParams([]string{"ORCPT=utf-8;jörg@example.com"})
	if u.ORcpt != "jörg@example.com" {
		t.Errorf("unitext ORCPT = %q", u.ORcpt)
	}
}
