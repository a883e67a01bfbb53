package cxx

import "sort"

// A large kernel compiles as two translation units at once
// (driver.CompileParts): the main part holds the constants, the kernel
// (tg_run and the entry) and some node functions; the other part the rest
// of the node functions, with hidden visibility so that the main part
// calls them inside the module and nothing else sees them. Each part
// repeats the helpers its functions use. The parts are balanced by the
// size of their source, a fair proxy of the compiler's time on code of
// one style.

// nodeFunc is one node's C++ function: its text (TG_LINKAGE where its
// linkage goes), its signature and the helpers it uses.
type nodeFunc struct {
	text    string
	sig     string
	helpers []string
}

// hidden is the linkage of a function one part defines for the other.
const hidden = `__attribute__((visibility("hidden")))`

// splitMin is the size of source (bytes of node functions and kernel body)
// from which a kernel is split: a part costs a compiler start, the
// precompiled header's load and a link, about 0.1 s of CPU with g++ 12,
// which a small kernel does not win back.
const splitMin = 24 << 10

// split assigns the node functions to two parts: it returns the indexes of
// those in the main part and in the other (empty when the kernel is not
// worth splitting). Largest first, each to the part where it adds least.
func (g *gen) split() (main, other []int) {
	body := 0
	for _, l := range g.body {
		body += len(l) + 1
	}
	total := body
	for _, f := range g.funcs {
		total += len(f.text)
	}
	for _, h := range g.u.order {
		total += len(g.u.helperNames[h])
	}
	if total < splitMin {
		for i := range g.funcs {
			main = append(main, i)
		}
		return main, nil
	}
	order := make([]int, len(g.funcs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(g.funcs[order[a]].text) > len(g.funcs[order[b]].text) })
	weight := [2]int{body, 0}
	has := [2]map[string]bool{{}, {}}
	part := make([]int, len(g.funcs))
	for _, f := range order {
		cost := [2]int{}
		for p := range cost {
			cost[p] = weight[p] + len(g.funcs[f].text)
			for _, h := range g.funcs[f].helpers {
				if !has[p][h] {
					cost[p] += len(g.u.helperNames[h])
				}
			}
		}
		p := 0
		if cost[1] < cost[0] {
			p = 1
		}
		part[f] = p
		weight[p] = cost[p]
		for _, h := range g.funcs[f].helpers {
			has[p][h] = true
		}
	}
	for i, p := range part {
		if p == 0 {
			main = append(main, i)
		} else {
			other = append(other, i)
		}
	}
	return main, other
}
