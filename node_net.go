package ensemble

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/tcp"
	"github.com/ensemble-go/ensemble/wire"
)

// startTransports opens the election and quorum channels to the other
// peers: the Config's Transport when set, else TCP on the addresses of
// this peer's server.N line. A standalone peer has no peers to talk to.
func (n *Node) startTransports(ctx context.Context) error {
	if len(n.cfg.Peers) == 0 {
		return nil
	}
	if n.cfg.Transport != nil {
		e, q, err := n.cfg.Transport(n.id)
		if err != nil {
			return fmt.Errorf("ensemble: opening the peer transport: %w", err)
		}
		n.elecT, n.quorumT = e, q
		return nil
	}
	self := n.self()
	open := func(listen string, addrOf func(Peer) string) (transport.Transport, error) {
		peers := map[uint64]string{}
		for _, p := range n.cfg.Peers {
			if p.ID != n.id {
				peers[p.ID] = addrOf(p)
			}
		}
		return tcp.New(ctx, tcp.Config{
			ID:     n.id,
			Listen: listen,
			Peers:  peers,
			TLS:    n.cfg.QuorumTLS,
			Logger: n.log.Named("transport"),
		})
	}
	var err error
	if n.elecT, err = open(self.ElectionAddr, func(p Peer) string { return p.ElectionAddr }); err != nil {
		return fmt.Errorf("ensemble: election transport on %s: %w", self.ElectionAddr, err)
	}
	if n.quorumT, err = open(self.QuorumAddr, func(p Peer) string { return p.QuorumAddr }); err != nil {
		n.elecT.Close()
		n.elecT = nil
		return fmt.Errorf("ensemble: quorum transport on %s: %w", self.QuorumAddr, err)
	}
	return nil
}

// closeTransports closes both peer channels.
func (n *Node) closeTransports() {
	for _, t := range []transport.Transport{n.elecT, n.quorumT} {
		if t != nil {
			if err := t.Close(); err != nil {
				n.log.Warn("closing a transport", "err", err)
			}
		}
	}
}

// startClientPorts serves the ZooKeeper client protocol on ClientAddr and,
// with TLS, on SecureClientAddr.
func (n *Node) startClientPorts() error {
	wcfg := wire.Config{
		MaxBuffer:         n.cfg.MaxBuffer,
		MaxClientCnxns:    n.cfg.MaxClientCnxns,
		TickTime:          n.cfg.TickTime,
		MinSessionTimeout: n.cfg.MinSessionTimeout,
		MaxSessionTimeout: n.cfg.MaxSessionTimeout,
		FourLetterWords:   n.cfg.FourLetterWords,
		SuperDigest:       n.cfg.SuperDigest,
		Logger:            n.log.Named("wire"),
	}
	serve := func(addr string, wrap func(net.Listener) net.Listener) (*wire.Server, net.Listener, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("ensemble: client port %s: %w", addr, err)
		}
		if wrap != nil {
			ln = wrap(ln)
		}
		s, err := wire.NewServer(wcfg, n)
		if err != nil {
			ln.Close()
			return nil, nil, fmt.Errorf("ensemble: client port: %w", err)
		}
		go func() {
			if err := s.Serve(ln); err != nil && !errors.Is(err, wire.ErrServerClosed) {
				n.log.Error("client port stopped", "addr", addr, "err", err)
			}
		}()
		return s, ln, nil
	}
	var err error
	if n.cfg.ClientAddr != "" {
		if n.server, n.clientLn, err = serve(n.cfg.ClientAddr, nil); err != nil {
			return err
		}
	}
	if n.cfg.SecureClientAddr != "" {
		if n.secure, n.secureLn, err = serve(n.cfg.SecureClientAddr, func(ln net.Listener) net.Listener {
			return tls.NewListener(ln, n.cfg.ClientTLS)
		}); err != nil {
			if n.server != nil {
				n.server.Close()
			}
			return err
		}
	}
	return nil
}
