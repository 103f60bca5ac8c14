package tcp_test

import (
	"testing"

	"github.com/ensemble-go/ensemble/transport/tcp"
	"github.com/ensemble-go/ensemble/transport/transporttest"
)

func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T, ids []uint64) transporttest.Harness {
		return newHarness(t, ids, nil)
	})
}

func TestConformanceTLS(t *testing.T) {
	pki := newPKI(t)
	transporttest.Run(t, func(t *testing.T, ids []uint64) transporttest.Harness {
		return newHarness(t, ids, func(id uint64, cfg *tcp.Config) {
			cfg.TLS = pki.config(t, id)
		})
	})
}
