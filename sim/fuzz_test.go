package sim

import (
	"testing"
)

// replayOps interprets data as a schedule of operations on a three-host world
// (two servers with disks, one client) and runs it. Every operation is legal
// from the outside, so the run must end without error, with conserved
// message accounting.
func replayOps(t *testing.T, data []byte) (uint64, NetStats) {
	w := newTestWorld(t, Config{Seed: 1, Net: NetConfig{Duplicate: 0.1, Loss: 0.1, Reorder: 0.1}})
	for _, a := range []int{1, 2} {
		_, err := w.AddHost(a, HostConfig{Disk: true, CrashMode: CrashMode(a + 1)}, func(h *Host) (Process, error) {
			return &recProc{h: h, onRecv: func(p *recProc, from int, msg any) {
				p.h.Disk().Append("log", []byte{byte(len(p.got))})
				p.h.Disk().Sync(uint64(from))
			}, onFire: func(p *recProc, tag uint64) {
				if tag >= 1000 {
					p.h.Send(int(tag), len(p.fires))
				}
			}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	addRec(t, w, 1000, HostConfig{}, nil)
	addrs := []int{1, 2, 1000}
	for i := 0; i+1 < len(data) && i < 400; i += 2 {
		op, arg := data[i]%12, int(data[i+1])
		h := w.Host(addrs[arg%3])
		other := addrs[(arg/3)%3]
		w.After(Time(i)*100*Microsecond, func() {
			switch op {
			case 0, 1, 2:
				if h.Alive() && !h.Paused() {
					h.Send(other, arg)
				}
			case 3:
				h.Crash()
			case 4:
				h.Restart(Time(arg) * 10 * Microsecond)
			case 5:
				h.Pause()
			case 6:
				h.Resume()
			case 7:
				_ = w.Net().Block(h.Addr(), other)
			case 8:
				w.Net().Heal()
			case 9:
				if d := h.Disk(); d != nil {
					d.Corrupt(newStream(uint64(arg), "fuzz"))
				}
			case 10:
				h.Clock().Bump(Time(arg-128) * Microsecond)
			case 11:
				if h.Alive() && !h.Paused() && h.Disk() != nil {
					h.After(Time(arg)*Microsecond, 1000)
				}
			}
		})
	}
	if err := w.Run(Second); err != nil {
		t.Fatal(err)
	}
	s := w.Net().Stats()
	requireConserved(t, s)
	return w.Trace().Hash(), s
}

func FuzzEngine(f *testing.F) {
	f.Add([]byte{0, 1, 0, 4, 3, 0, 4, 1, 5, 1, 0, 3, 6, 1, 7, 0, 0, 0, 8, 0})
	f.Add([]byte{5, 0, 0, 3, 0, 3, 11, 1, 3, 0, 9, 0, 4, 0, 6, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		h1, s1 := replayOps(t, data)
		h2, s2 := replayOps(t, data)
		if h1 != h2 || s1 != s2 {
			t.Fatalf("same input, different runs: %x %+v vs %x %+v", h1, s1, h2, s2)
		}
	})
}
