# SPDX-License-Identifier: GPL-2.0
# make bench's figures (Documentation/dev-tools/bench.rst), from the data
# files tools/mls-bench/plotdata.py writes:
#   gnuplot -e "dir='build/bench'" tools/mls-bench/plot.gp
# throughput-OP-SUITE.png: MB/s of application data by message size, one
# curve per column of throughput-OP-SUITE.dat (kernel, userspace, raw
# AEAD, and whatever else the run measured); memory.png: bytes per group
# and per past epoch against the targets.
if (!exists("dir")) dir = "build/bench"

set terminal pngcairo size 900,560 font ",11" noenhanced
set grid
set key top left
set logscale x 2
set logscale y
set xlabel "application data per message (bytes)"
set ylabel "MB/s (1 thread, best round)"
set xtics ("64" 64, "1 KiB" 1024, "16 KiB" 16384, "64 KiB" 65536)
set xrange [40:100000]

do for [op in "encrypt decrypt"] {
	do for [suite in "1 3"] {
		f = sprintf("%s/throughput-%s-%s.dat", dir, op, suite)
		if (system(sprintf("test -s '%s' && echo y", f)) eq "y") {
			stats f skip 1 nooutput
			n = STATS_columns
			set output sprintf("%s/throughput-%s-%s.png", dir, op, suite)
			set title sprintf("%s, suite %s (make bench, QEMU TCG: compare within a run)", op, suite)
			plot for [i=2:n] f using 1:i with linespoints lw 2 pt 7 title columnheader(i)
			unset output
		}
	}
}

f = dir . "/memory.dat"
if (system(sprintf("test -s '%s' && echo y", f)) eq "y") {
	set output dir . "/memory.png"
	set multiplot layout 1,2 title "Kernel memory the module holds (make bench; 2 leaves, suite 1)"
	unset logscale y
	set logscale x 10
	set xtics auto
	set format x "%g"
	set xrange [50:20000]
	set yrange [0:*]
	set offsets 0, 0, graph 0.15, 0
	set xlabel "groups"
	set key bottom right
	set ylabel "bytes per group"
	set title "per group"
	plot f skip 1 using ($2 == 0 && $1 >= 100 ? $1 : NaN):3 with linespoints lw 2 pt 7 title "slabinfo", \
	     f skip 1 using ($2 == 0 && $1 >= 100 ? $1 : NaN):4 with linespoints lw 2 pt 6 title "module's count", \
	     f skip 1 using ($2 == 1 ? $1 : NaN):3 with points pt 9 ps 2 title "slabinfo, group_sysfs=1", \
	     2048 with lines dt 2 lw 2 title "target 2 KiB"
	set ylabel "bytes per past epoch"
	set title "per past epoch"
	plot f skip 1 using ($2 == 0 && $1 >= 100 ? $1 : NaN):5 with linespoints lw 2 pt 7 title "slabinfo", \
	     f skip 1 using ($2 == 0 && $1 >= 100 ? $1 : NaN):6 with linespoints lw 2 pt 6 title "module's count", \
	     800 with lines dt 2 lw 2 title "target 800 B"
	unset multiplot
	unset output
}
