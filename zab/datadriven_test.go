package zab

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A tiny datadriven runner (in the style of cockroachdb/datadriven, which
// etcd-io/raft's interaction tests use): a file is a list of
//
//	command args...
//	----
//	expected output
//	<blank line>
//
// Lines starting with # between cases are comments. With -rewrite the
// expected outputs are replaced by the actual ones.

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata scenarios")

type ddCase struct {
	pos      string
	cmd      string
	expected string
}

func parseDD(t *testing.T, path string) (cases []ddCase) {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	require.NoError(t, sc.Err())
	for i := 0; i < len(lines); {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			i++
			continue
		}
		c := ddCase{pos: fmt.Sprintf("%s:%d", filepath.Base(path), i+1), cmd: l}
		i++
		require.Less(t, i, len(lines), "%s: command without ----", c.pos)
		require.Equal(t, "----", lines[i], "%s: want ---- after the command", c.pos)
		i++
		var out []string
		for i < len(lines) && lines[i] != "" {
			out = append(out, lines[i])
			i++
		}
		c.expected = strings.Join(out, "\n")
		cases = append(cases, c)
	}
	return cases
}

// runDD runs every case of path through do, comparing or rewriting.
func runDD(t *testing.T, path string, do func(t *testing.T, cmd string) string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	cases := parseDD(t, path)
	var out strings.Builder
	// Keep the file's comments and layout when rewriting: rebuild it by
	// walking the original lines and replacing each expected block.
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	ci := 0
	for i := 0; i < len(lines); {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			out.WriteString(l + "\n")
			i++
			continue
		}
		c := cases[ci]
		ci++
		actual := strings.TrimRight(do(t, c.cmd), "\n")
		if !*rewrite && actual != c.expected {
			t.Errorf("%s: %s\nwant:\n%s\ngot:\n%s", c.pos, c.cmd, c.expected, actual)
		}
		out.WriteString(l + "\n----\n")
		if actual != "" {
			out.WriteString(actual + "\n")
		}
		i += 2
		for i < len(lines) && lines[i] != "" {
			i++
		}
		if i < len(lines) {
			out.WriteString("\n")
			i++
		}
	}
	if *rewrite {
		require.NoError(t, os.WriteFile(path, []byte(strings.TrimRight(out.String(), "\n")+"\n"), 0o644))
	}
}
