package transport_test

import (
	"errors"
	"fmt"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/mem"
)

// A core's event loop sees a connection open before its first message,
// and a Disconnected when a break may have lost messages.
func Example() {
	network := mem.NewNetwork(mem.Options{})
	defer network.Close()
	var a, b transport.Transport = network.Endpoint(1), network.Endpoint(2)

	_ = a.Send(2, []byte("vote"))
	for range 2 {
		ev := <-b.Events()
		switch ev.Kind {
		case transport.Connected:
			fmt.Println("connected to", ev.Peer)
		case transport.Message:
			fmt.Printf("%q from %d\n", ev.Payload, ev.Peer)
		}
	}
	network.Break(1, 2)
	ev := <-b.Events()
	fmt.Println(ev.Kind, "from", ev.Peer, "lost:", errors.Is(ev.Err, transport.ErrConnectionLost))
	// Output:
	// connected to 1
	// "vote" from 1
	// disconnected from 1 lost: true
}
