package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// EncodeTo writes to w what Encode returns, byte for byte, one resource at
// a time: a state of 10,000 resources is some 35 MB of JSON, and building
// it whole (then indenting it into a second buffer) made the largest
// allocations of an apply, at every compaction of the journal. It returns
// the number of bytes written.
func EncodeTo(w io.Writer, s *State) (int64, error) {
	cw := &countingWriter{w: bufio.NewWriterSize(w, 256<<10)}
	if err := encodeTo(cw, s); err != nil {
		return cw.n, fmt.Errorf("encoding the state: %w", err)
	}
	return cw.n, cw.w.(*bufio.Writer).Flush()
}

func encodeTo(w *countingWriter, s *State) error {
	s.Version = FormatVersion
	if len(s.Resources) == 0 {
		data, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return err
		}
		w.put(data)
		w.put([]byte{'\n'})
		return w.err
	}
	// Everything but the resources, which go where the empty list is.
	rest := *s
	rest.Resources = []*Resource{}
	rest.idx, rest.shared = nil, nil
	head, err := json.MarshalIndent(&rest, "", "  ")
	if err != nil {
		return err
	}
	// The first occurrence is the field's: the fields before it are
	// numbers and strings, in which a quote is escaped.
	const empty = `"resources": []`
	at := bytes.Index(head, []byte(empty))
	if at < 0 {
		return fmt.Errorf("no resources field in %.60q", head)
	}
	w.put(head[:at+len(empty)-1])
	// One writer (jsonwrite.go) and one buffer for every resource; a
	// resource it cannot write goes through json.Encoder, which writes the
	// same bytes more slowly.
	fast := &writer{prefix: "    ", indent: "  "}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("    ", "  ")
	for i, r := range s.Resources {
		if i > 0 {
			w.put([]byte{','})
		}
		w.put([]byte("\n    "))
		fast.buf = fast.buf[:0]
		if fast.resource(r) {
			w.put(fast.buf)
			continue
		}
		buf.Reset()
		if err := enc.Encode(r); err != nil {
			return err
		}
		// Without the newline Encode ends each value with.
		w.put(buf.Bytes()[:buf.Len()-1])
	}
	w.put([]byte("\n  ]"))
	w.put(head[at+len(empty):])
	w.put([]byte{'\n'})
	return w.err
}

// countingWriter counts what it writes and keeps the first error, which
// encodeTo returns at the end: put writes and leaves the error there.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

// put writes p unless an earlier write failed; the error is kept in c.err.
func (c *countingWriter) put(p []byte) {
	_, _ = c.Write(p)
}
