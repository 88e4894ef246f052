# Log-log plot of `cascade-bench scale`: event-loop events/s and peak RSS against the retail population.
#   gnuplot -e "datafile='scale.dat'; outfile='scale.png'" bench/scale.gp
# scale.dat: three blocks (index 0: literal sweep, 1: same-flow sweep, 2: literal sweep in a market sized for
#   10^6 retail, experiments/bench/scale_large.json), columns: retail agents events process_s
#   process_s_per_sim_h loop_events_per_s rss_mib bytes_per_agent
if (!exists("datafile")) datafile = 'scale.dat'
if (!exists("outfile")) outfile = 'scale.png'
set terminal pngcairo size 900,560 font ",11"
set output outfile
set title "cascade-bench scale: retail population varied (baseline.json; scale\\_large.json)"
set logscale xy 10
set logscale y2 10
set format x "10^{%T}"
set format y "10^{%T}"
set xlabel "retail agents"
set ylabel "events per wall second (event loop)"
set y2label "peak RSS (MiB)"
set ytics nomirror
set y2tics
set grid xtics ytics
set key top right
set yrange [3e5:3e7]
set y2range [1:3000]
set xrange [500:2000000]
plot datafile index 0 using 1:6 with linespoints lw 2 pt 7 title "events/s, literal sweep (left)", \
     datafile index 1 using 1:6 with linespoints lw 2 pt 9 title "events/s, same order flow (left)", \
     datafile index 2 using 1:6 with linespoints lw 2 pt 11 title "events/s, large market (left)", \
     datafile index 0 using 1:7 axes x1y2 with linespoints lw 2 pt 5 dt 2 title "peak RSS MiB, literal (right)"
