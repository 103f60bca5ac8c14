package ensemble

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func threePeers() []Peer {
	return []Peer{
		{ID: 1, QuorumAddr: "127.0.0.1:2888", ElectionAddr: "127.0.0.1:3888"},
		{ID: 2, QuorumAddr: "127.0.0.1:2889", ElectionAddr: "127.0.0.1:3889"},
		{ID: 3, QuorumAddr: "127.0.0.1:2890", ElectionAddr: "127.0.0.1:3890"},
	}
}

func TestValidateAcceptsDefaults(t *testing.T) {
	c := DefaultConfig()
	c.DataDir = t.TempDir()
	require.NoError(t, c.Validate())

	c.Peers = threePeers()
	c.ID = 2
	require.NoError(t, c.Validate())
}

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		field  string
	}{
		{"no data dir", func(c *Config) { c.DataDir = "" }, "DataDir"},
		{"tiny tick", func(c *Config) { c.TickTime = time.Microsecond }, "TickTime"},
		{"negative init limit", func(c *Config) { c.InitLimit = -1 }, "InitLimit"},
		{"negative sync limit", func(c *Config) { c.SyncLimit = -3 }, "SyncLimit"},
		{"two snapshots kept", func(c *Config) { c.SnapRetainCount = 2 }, "SnapRetainCount"},
		{"session timeouts crossed", func(c *Config) {
			c.MinSessionTimeout, c.MaxSessionTimeout = 10*time.Second, 5*time.Second
		}, "MinSessionTimeout"},
		{"bad client addr", func(c *Config) { c.ClientAddr = "2181" }, "ClientAddr"},
		{"secure port without TLS", func(c *Config) { c.SecureClientAddr = "127.0.0.1:2281" }, "ClientTLS"},
		{"not a four letter word", func(c *Config) { c.FourLetterWords = []string{"srvr", "status"} }, "FourLetterWords"},
		{"bad super digest", func(c *Config) { c.SuperDigest = "nocolon" }, "SuperDigest"},
		{"standalone id out of range", func(c *Config) { c.ID = 255 }, "ID"},
		{"peer id zero", func(c *Config) { c.Peers = threePeers(); c.ID = 0 }, "ID"},
		{"self not among peers", func(c *Config) { c.Peers = threePeers(); c.ID = 4 }, "ID"},
		{"duplicate peer", func(c *Config) {
			c.Peers = append(threePeers(), Peer{ID: 2, QuorumAddr: "127.0.0.1:1", ElectionAddr: "127.0.0.1:2"})
		}, "Peers[3].ID"},
		{"peer id zero", func(c *Config) { c.Peers = threePeers(); c.Peers[0].ID = 0 }, "Peers[0].ID"},
		{"bad quorum addr", func(c *Config) { c.Peers = threePeers(); c.Peers[1].QuorumAddr = "nope" }, "Peers[1].QuorumAddr"},
		{"shared address", func(c *Config) {
			c.Peers = threePeers()
			c.Peers[2].ElectionAddr = c.Peers[0].ElectionAddr
		}, "Peers[2].ElectionAddr"},
		{"only observers", func(c *Config) {
			c.Peers = threePeers()
			for i := range c.Peers {
				c.Peers[i].Observer = true
			}
		}, "Peers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			c.DataDir = t.TempDir()
			tt.modify(&c)
			err := c.Validate()
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalidConfig))
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field, "error: %v", err)
		})
	}
}

func TestValidateDoesNotChangeTheCallersConfig(t *testing.T) {
	c := Config{DataDir: "x", Peers: threePeers(), ID: 1}
	before := c
	require.NoError(t, c.Validate())
	assert.Equal(t, before, c)
	v, err := c.validated()
	require.NoError(t, err)
	v.Peers[0].ID = 99
	assert.Equal(t, uint64(1), c.Peers[0].ID, "validated must copy Peers")
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func TestParseZooCfgEnsemble(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	writeFile(t, filepath.Join(data, "myid"), "2\n")
	cfgPath := filepath.Join(dir, "zoo.cfg")
	writeFile(t, cfgPath, `# The number of milliseconds of each tick
tickTime=200
initLimit=10
syncLimit: 5
dataDir=`+data+`
dataLogDir=`+filepath.Join(dir, "log")+`
clientPort=2181
clientPortAddress=127.0.0.1
maxClientCnxns=0
autopurge.snapRetainCount=5
autopurge.purgeInterval=1
4lw.commands.whitelist=srvr, ruok,mntr
zookeeper.extendedTypesEnabled=true
znode.container.checkIntervalMs=1000
jute.maxbuffer=4194304
zookeeper.DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=
admin.enableServer=false
server.1=127.0.0.1:2888:3888
server.2=127.0.0.1:2889:3889;127.0.0.1:2182
server.3 = 127.0.0.1:2890:3890:participant
server.4=127.0.0.1:2891:3891:observer
`)
	c, err := ParseZooCfg(cfgPath)
	require.NoError(t, err)
	assert.Equal(t, uint64(2), c.ID)
	assert.Equal(t, 200*time.Millisecond, c.TickTime)
	assert.Equal(t, 10, c.InitLimit)
	assert.Equal(t, 5, c.SyncLimit)
	assert.Equal(t, data, c.DataDir)
	assert.Equal(t, filepath.Join(dir, "log"), c.DataLogDir)
	assert.Equal(t, "127.0.0.1:2181", c.ClientAddr)
	assert.Equal(t, -1, c.MaxClientCnxns)
	assert.Equal(t, 5, c.SnapRetainCount)
	assert.Equal(t, time.Hour, c.PurgeInterval)
	assert.Equal(t, []string{"srvr", "ruok", "mntr"}, c.FourLetterWords)
	assert.True(t, c.ExtendedTypes)
	assert.Equal(t, time.Second, c.ContainerCheckInterval)
	assert.Equal(t, 4194304, c.MaxBuffer)
	assert.Equal(t, "super:D/InIHSb7yEEbrWz8b9l71RjZJU=", c.SuperDigest)
	require.Len(t, c.Peers, 4)
	assert.Equal(t, Peer{ID: 2, QuorumAddr: "127.0.0.1:2889", ElectionAddr: "127.0.0.1:3889", ClientAddr: "127.0.0.1:2182"}, c.Peers[1])
	assert.Equal(t, "127.0.0.1:2890", c.Peers[2].QuorumAddr)
	assert.True(t, c.Peers[3].Observer)
	require.NoError(t, c.Validate())
}

func TestParseZooCfgStandaloneAndClientPortFromServerLine(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "zoo.cfg")
	writeFile(t, cfgPath, "dataDir="+dir+"\nclientPort=2181\n")
	c, err := ParseZooCfg(cfgPath)
	require.NoError(t, err)
	assert.Empty(t, c.Peers)
	assert.Equal(t, "0.0.0.0:2181", c.ClientAddr)
	require.NoError(t, c.Validate())

	// No clientPort key: the client address comes from this server's line.
	writeFile(t, filepath.Join(dir, "myid"), "1")
	writeFile(t, cfgPath, "dataDir="+dir+"\nserver.1=[::1]:2888:3888;2181\n")
	c, err = ParseZooCfg(cfgPath)
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:2181", c.ClientAddr)
	assert.Equal(t, "[::1]:2888", c.Peers[0].QuorumAddr)
}

func TestParseZooCfgDynamicConfigFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "myid"), "1")
	writeFile(t, filepath.Join(dir, "zoo.cfg.dynamic"), "server.1=127.0.0.1:2888:3888;2181\nserver.2=127.0.0.1:2889:3889;2182\n")
	cfgPath := filepath.Join(dir, "zoo.cfg")
	writeFile(t, cfgPath, "dataDir="+dir+"\ndynamicConfigFile=zoo.cfg.dynamic\n")
	c, err := ParseZooCfg(cfgPath)
	require.NoError(t, err)
	require.Len(t, c.Peers, 2)
	assert.Equal(t, "0.0.0.0:2181", c.ClientAddr)
}

func TestParseZooCfgErrors(t *testing.T) {
	tests := []struct {
		name, cfg, myid, field string
	}{
		{"tick not a number", "tickTime=fast\n", "", "tickTime"},
		{"bad client port", "clientPort=99999\n", "", "clientPort"},
		{"bad server id", "server.x=127.0.0.1:1:2\n", "1", "server.x"},
		{"server line too short", "server.1=127.0.0.1:2888\n", "1", "server.1"},
		{"server bad role", "server.1=127.0.0.1:2888:3888:leader\n", "1", "server.1"},
		{"server bad port", "server.1=127.0.0.1:28a8:3888\n", "1", "server.1"},
		{"missing myid", "server.1=127.0.0.1:2888:3888\n", "", "myid"},
		{"garbage myid", "server.1=127.0.0.1:2888:3888\n", "one", "myid"},
		{"observer mismatch", "peerType=observer\nserver.1=127.0.0.1:2888:3888\n", "1", "peerType"},
		{"bad peer type", "peerType=boss\n", "", "peerType"},
		{"bad bool", "zookeeper.extendedTypesEnabled=yes please\n", "", "zookeeper.extendedTypesEnabled"},
		{"jks keystore", "secureClientPort=2281\nssl.keyStore.type=JKS\n", "", "ssl.keyStore.type"},
		{"no equals", "justakey\n", "", "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.myid != "" {
				writeFile(t, filepath.Join(dir, "myid"), tt.myid)
			}
			cfgPath := filepath.Join(dir, "zoo.cfg")
			writeFile(t, cfgPath, "dataDir="+dir+"\n"+tt.cfg)
			_, err := ParseZooCfg(cfgPath)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalidConfig), "%v", err)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field, "error: %v", err)
		})
	}
}

func TestParseZooCfgMissingFile(t *testing.T) {
	_, err := ParseZooCfg(filepath.Join(t.TempDir(), "absent.cfg"))
	require.Error(t, err)
	assert.True(t, errors.Is(err, os.ErrNotExist))
}

func FuzzParseZooCfg(f *testing.F) {
	f.Add([]byte("tickTime=2000\ndataDir=/tmp/zk\nclientPort=2181\nserver.1=127.0.0.1:2888:3888;2181\n"))
	f.Add([]byte("server.1=[::1]:1:2:observer;[::1]:3\npeerType=observer\n4lw.commands.whitelist=*\n"))
	f.Add([]byte("# comment\n! other\nkey : value\njute.maxbuffer=x\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		props, err := parseProperties(raw)
		if err != nil {
			return
		}
		cfg, _, err := configFromProperties(props)
		if err != nil {
			return
		}
		_ = cfg.Validate() // must not panic, whatever the peers look like
	})
}
