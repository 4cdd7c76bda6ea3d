package attacks

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestAttackListNamesRealTests keeps ATTACKS.md honest: it has every row
// T-01 .. T-37, and every test it names exists somewhere in the repository.
func TestAttackListNamesRealTests(t *testing.T) {
	list, err := os.ReadFile("../ATTACKS.md")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 37; i++ {
		if row := "| T-" + twoDigits(i) + " |"; !strings.Contains(string(list), row) {
			t.Errorf("ATTACKS.md has no row %s", row)
		}
	}
	var sources strings.Builder
	filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, "_test.go") {
			b, _ := os.ReadFile(path)
			sources.Write(b)
		}
		return nil
	})
	for _, m := range regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9]+)`").FindAllStringSubmatch(string(list), -1) {
		if !strings.Contains(sources.String(), "func "+m[1]+"(") {
			t.Errorf("ATTACKS.md names %s, which is no test", m[1])
		}
	}
}

func twoDigits(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }
