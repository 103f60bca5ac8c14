package ensemble

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseZooCfg reads an unchanged Apache ZooKeeper zoo.cfg, the myid file in
// its dataDir and, when the file names one, its dynamic config file, and
// returns the Config they describe. Settings that are Java system
// properties in ZooKeeper (jute.maxbuffer, znode.container.checkIntervalMs,
// zookeeper.extendedTypesEnabled, ...) are accepted as keys, with or without
// the "zookeeper." prefix, as ZooKeeper itself accepts them. Keys ensemble
// has no use for (admin server, metrics provider, ...) are ignored, as
// ZooKeeper ignores them; a malformed value is an error naming the key.
func ParseZooCfg(path string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("ensemble: reading zoo.cfg: %w", err)
	}
	props, err := parseProperties(raw)
	if err != nil {
		return Config{}, err
	}
	if dyn, ok := props["dynamicConfigFile"]; ok {
		if !filepath.IsAbs(dyn) {
			dyn = filepath.Join(filepath.Dir(path), dyn)
		}
		raw, err := os.ReadFile(dyn)
		if err != nil {
			return Config{}, fmt.Errorf("ensemble: reading dynamicConfigFile: %w", err)
		}
		more, err := parseProperties(raw)
		if err != nil {
			return Config{}, err
		}
		for k, v := range more {
			props[k] = v
		}
	}
	cfg, observer, err := configFromProperties(props)
	if err != nil {
		return Config{}, err
	}
	if len(cfg.Peers) == 0 {
		return cfg, nil
	}
	if cfg.ID, err = readMyID(cfg.DataDir); err != nil {
		return Config{}, err
	}
	for _, p := range cfg.Peers {
		if p.ID != cfg.ID {
			continue
		}
		if observer && !p.Observer {
			return Config{}, &ConfigError{Field: "peerType", Problem: fmt.Sprintf("is observer but server.%d does not say observer", p.ID)}
		}
		if cfg.ClientAddr == "" {
			// ZooKeeper 3.5+ also takes the client port from this server's line.
			cfg.ClientAddr = p.ClientAddr
		}
	}
	return cfg, nil
}

// parseProperties reads the Java properties subset zoo.cfg files use:
// key=value, key:value or "key value" lines, # and ! comments.
func parseProperties(raw []byte) (map[string]string, error) {
	props := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		i := strings.IndexAny(line, "=: \t")
		if i <= 0 {
			return nil, &ConfigError{Field: fmt.Sprintf("line %d", n), Problem: fmt.Sprintf("expected key=value, got %q", line)}
		}
		key := line[:i]
		value := strings.TrimSpace(line[i:])
		if value != "" && (value[0] == '=' || value[0] == ':') {
			value = strings.TrimSpace(value[1:])
		}
		props[key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, &ConfigError{Field: "zoo.cfg", Problem: err.Error()}
	}
	return props, nil
}

// configFromProperties maps zoo.cfg keys onto a Config. It also reports
// whether peerType=observer was given, which can only be checked once myid
// is known.
func configFromProperties(props map[string]string) (cfg Config, observer bool, err error) {
	cfg = Config{ID: 1}
	var clientPort, clientHost, securePort string
	intKey := func(key string, dst *int) {
		if err != nil {
			return
		}
		v, ok := props[key]
		if !ok {
			return
		}
		n, e := strconv.Atoi(v)
		if e != nil {
			err = &ConfigError{Field: key, Problem: fmt.Sprintf("must be an integer, got %q", v)}
			return
		}
		*dst = n
	}
	msKey := func(key string, dst *time.Duration) {
		var ms int
		intKey(key, &ms)
		if _, ok := props[key]; ok && err == nil {
			*dst = time.Duration(ms) * time.Millisecond
		}
	}
	// ZooKeeper reads several settings as system properties, which a zoo.cfg
	// may give with or without the "zookeeper." prefix.
	prop := func(name string) (string, bool) {
		if v, ok := props[name]; ok {
			return v, true
		}
		v, ok := props["zookeeper."+name]
		return v, ok
	}

	cfg.DataDir = props["dataDir"]
	cfg.DataLogDir = props["dataLogDir"]
	msKey("tickTime", &cfg.TickTime)
	intKey("initLimit", &cfg.InitLimit)
	intKey("syncLimit", &cfg.SyncLimit)
	intKey("snapCount", &cfg.SnapCount)
	intKey("autopurge.snapRetainCount", &cfg.SnapRetainCount)
	var purgeHours int
	intKey("autopurge.purgeInterval", &purgeHours)
	cfg.PurgeInterval = time.Duration(purgeHours) * time.Hour
	var preAllocKB int
	intKey("preAllocSize", &preAllocKB)
	cfg.LogSegmentSize = int64(preAllocKB) * 1024
	intKey("maxClientCnxns", &cfg.MaxClientCnxns)
	if v, ok := props["maxClientCnxns"]; ok && v == "0" {
		cfg.MaxClientCnxns = -1 // ZooKeeper's 0 means no limit
	}
	msKey("minSessionTimeout", &cfg.MinSessionTimeout)
	msKey("maxSessionTimeout", &cfg.MaxSessionTimeout)
	if v, ok := prop("znode.container.checkIntervalMs"); ok && err == nil {
		ms, e := strconv.Atoi(v)
		if e != nil || ms < 0 {
			err = &ConfigError{Field: "znode.container.checkIntervalMs", Problem: fmt.Sprintf("must be a non-negative integer, got %q", v)}
		}
		cfg.ContainerCheckInterval = time.Duration(ms) * time.Millisecond
	}
	if v, ok := prop("znode.container.maxPerMinute"); ok && err == nil {
		props["znode.container.maxPerMinute"] = v
		intKey("znode.container.maxPerMinute", &cfg.ContainerMaxPerMinute)
	}
	if v, ok := prop("jute.maxbuffer"); ok && err == nil {
		props["jute.maxbuffer"] = v
		intKey("jute.maxbuffer", &cfg.MaxBuffer)
	}
	if err != nil {
		return Config{}, false, err
	}
	if v, ok := prop("DigestAuthenticationProvider.superDigest"); ok {
		cfg.SuperDigest = v
	}
	if v, ok := prop("extendedTypesEnabled"); ok {
		b, e := strconv.ParseBool(v)
		if e != nil {
			return Config{}, false, &ConfigError{Field: "zookeeper.extendedTypesEnabled", Problem: fmt.Sprintf("must be true or false, got %q", v)}
		}
		cfg.ExtendedTypes = b
	}
	if v, ok := props["4lw.commands.whitelist"]; ok {
		cfg.FourLetterWords = nil
		for _, w := range strings.Split(v, ",") {
			if w = strings.TrimSpace(w); w != "" {
				cfg.FourLetterWords = append(cfg.FourLetterWords, w)
			}
		}
	}
	if v := props["peerType"]; v != "" {
		switch v {
		case "observer":
			observer = true
		case "participant":
		default:
			return Config{}, false, &ConfigError{Field: "peerType", Problem: fmt.Sprintf("must be participant or observer, got %q", v)}
		}
	}

	clientPort = props["clientPort"]
	clientHost = props["clientPortAddress"]
	securePort = props["secureClientPort"]
	if clientPort != "" {
		if _, e := strconv.ParseUint(clientPort, 10, 16); e != nil {
			return Config{}, false, &ConfigError{Field: "clientPort", Problem: fmt.Sprintf("must be a port number, got %q", clientPort)}
		}
		cfg.ClientAddr = net.JoinHostPort(orAll(clientHost), clientPort)
	}
	if securePort != "" {
		if _, e := strconv.ParseUint(securePort, 10, 16); e != nil {
			return Config{}, false, &ConfigError{Field: "secureClientPort", Problem: fmt.Sprintf("must be a port number, got %q", securePort)}
		}
		cfg.SecureClientAddr = net.JoinHostPort(orAll(props["secureClientPortAddress"]), securePort)
		tlsCfg, e := clientTLSFromProperties(props)
		if e != nil {
			return Config{}, false, e
		}
		cfg.ClientTLS = tlsCfg
	}

	for key, value := range props {
		idText, ok := strings.CutPrefix(key, "server.")
		if !ok {
			continue
		}
		id, e := strconv.ParseUint(idText, 10, 64)
		if e != nil {
			return Config{}, false, &ConfigError{Field: key, Problem: "the server id must be a number"}
		}
		p, e := parseServerLine(id, value)
		if e != nil {
			return Config{}, false, &ConfigError{Field: key, Problem: e.Error()}
		}
		cfg.Peers = append(cfg.Peers, p)
	}
	slices.SortFunc(cfg.Peers, func(a, b Peer) int { return cmp.Compare(a.ID, b.ID) })
	return cfg, observer, nil
}

// orAll returns host, or the wildcard address ZooKeeper binds by default.
func orAll(host string) string {
	if host == "" {
		return "0.0.0.0"
	}
	return host
}

// parseServerLine parses host:quorumPort:electionPort[:role][;[clientHost:]clientPort].
func parseServerLine(id uint64, value string) (Peer, error) {
	p := Peer{ID: id}
	addrPart, clientPart, hasClient := strings.Cut(value, ";")
	host, rest, err := splitHost(strings.TrimSpace(addrPart))
	if err != nil {
		return Peer{}, err
	}
	fields := strings.Split(rest, ":")
	if len(fields) < 2 || len(fields) > 3 {
		return Peer{}, fmt.Errorf("must be host:quorumPort:electionPort[:participant|observer], got %q", value)
	}
	for i, port := range fields[:2] {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return Peer{}, fmt.Errorf("port %d must be a number from 0 to 65535, got %q", i+1, port)
		}
	}
	p.QuorumAddr = net.JoinHostPort(host, fields[0])
	p.ElectionAddr = net.JoinHostPort(host, fields[1])
	if len(fields) == 3 {
		switch fields[2] {
		case "observer":
			p.Observer = true
		case "participant":
		default:
			return Peer{}, fmt.Errorf("role must be participant or observer, got %q", fields[2])
		}
	}
	if hasClient {
		clientPart = strings.TrimSpace(clientPart)
		chost, cport := "0.0.0.0", clientPart
		if strings.Contains(clientPart, ":") {
			h, port, err := net.SplitHostPort(clientPart)
			if err != nil {
				return Peer{}, fmt.Errorf("client address must be [host:]port, got %q", clientPart)
			}
			chost, cport = h, port
		}
		if _, err := strconv.ParseUint(cport, 10, 16); err != nil {
			return Peer{}, fmt.Errorf("client port must be a number, got %q", cport)
		}
		p.ClientAddr = net.JoinHostPort(chost, cport)
	}
	return p, nil
}

// splitHost splits "host:rest" or "[v6]:rest".
func splitHost(s string) (host, rest string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]:")
		if end < 0 {
			return "", "", fmt.Errorf("bad IPv6 address in %q", s)
		}
		return s[1:end], s[end+2:], nil
	}
	host, rest, ok := strings.Cut(s, ":")
	if !ok || host == "" {
		return "", "", fmt.Errorf("must start with a host, got %q", s)
	}
	return host, rest, nil
}

// readMyID reads dataDir/myid, the file that says which server.N this is.
func readMyID(dataDir string) (uint64, error) {
	if dataDir == "" {
		return 0, &ConfigError{Field: "dataDir", Problem: "must be set (it holds myid)"}
	}
	raw, err := os.ReadFile(filepath.Join(dataDir, "myid"))
	if err != nil {
		return 0, &ConfigError{Field: "myid", Problem: err.Error()}
	}
	id, err := strconv.ParseUint(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		return 0, &ConfigError{Field: "myid", Problem: fmt.Sprintf("must hold a server id, got %q", strings.TrimSpace(string(raw)))}
	}
	return id, nil
}

// clientTLSFromProperties builds the secure client port's TLS config from
// zoo.cfg's ssl.* keys. ensemble reads PEM files (ZooKeeper's
// ssl.keyStore.type=PEM); Java keystores (JKS, PKCS12) are refused with an
// error that says so.
func clientTLSFromProperties(props map[string]string) (*tls.Config, error) {
	get := func(k string) string {
		if v, ok := props["ssl."+k]; ok {
			return v
		}
		return props["zookeeper.ssl."+k]
	}
	for _, kind := range []string{"keyStore", "trustStore"} {
		if t := get(kind + ".type"); t != "" && !strings.EqualFold(t, "PEM") {
			return nil, &ConfigError{Field: "ssl." + kind + ".type", Problem: fmt.Sprintf("only PEM is supported, got %q", t)}
		}
	}
	keyStore := get("keyStore.location")
	if keyStore == "" {
		return nil, &ConfigError{Field: "ssl.keyStore.location", Problem: "must be set when secureClientPort is"}
	}
	pem, err := os.ReadFile(keyStore)
	if err != nil {
		return nil, &ConfigError{Field: "ssl.keyStore.location", Problem: err.Error()}
	}
	// A PEM key store holds the certificate chain and the private key.
	cert, err := tls.X509KeyPair(pem, pem)
	if err != nil {
		return nil, &ConfigError{Field: "ssl.keyStore.location", Problem: err.Error()}
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if trust := get("trustStore.location"); trust != "" {
		pem, err := os.ReadFile(trust)
		if err != nil {
			return nil, &ConfigError{Field: "ssl.trustStore.location", Problem: err.Error()}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &ConfigError{Field: "ssl.trustStore.location", Problem: "holds no PEM certificate"}
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		if v := get("clientAuth"); strings.EqualFold(v, "want") {
			cfg.ClientAuth = tls.VerifyClientCertIfGiven
		} else if strings.EqualFold(v, "none") {
			cfg.ClientAuth = tls.NoClientCert
		}
	}
	return cfg, nil
}
