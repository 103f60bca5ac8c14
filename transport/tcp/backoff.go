package tcp

import (
	"math/rand/v2"
	"time"
)

// backoff returns how long to wait after the given number of consecutive
// failed connection attempts (at least 1): min doubled per failure, capped at
// max, then jittered down by up to half so that peers that failed together
// do not retry together.
func backoff(failures int, lo, hi time.Duration, rng *rand.Rand) time.Duration {
	d := hi
	if failures <= 1 {
		d = lo
	} else if shift := failures - 1; shift < 62 && lo <= hi>>shift {
		d = lo << shift
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return d - half + time.Duration(rng.Int64N(int64(half)+1))
}
