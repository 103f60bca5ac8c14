package recipe_test

import "time"

// timeAfter is time.After, named so polling loops read as what they are.
func timeAfter(d time.Duration) <-chan time.Time { return time.After(d) }
