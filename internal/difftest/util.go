package difftest

import "strconv"

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// quote shows a path with its control characters escaped.
func quote(s string) string { return strconv.Quote(s) }

// join shows a transcript one line each.
func join(lines []string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}
