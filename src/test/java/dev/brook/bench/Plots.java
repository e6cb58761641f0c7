package dev.brook.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The benchmark's plots (JFreeChart, headless PNGs): ack latency and end-to-end latency as percentile
 * curves (latency against 0 %, 90 %, 99 %, 99.9 %... on log axes, as HdrHistogram draws them) and
 * throughput over time (records per second, second by second). Scenarios register what they measured;
 * {@link #write} draws the charts that have data. Redis's series are dashed.
 */
final class Plots {

    static final int WIDTH = 900;
    static final int HEIGHT = 500;
    /** Points per decade of the percentile axis (0-90 %, 90-99 %, ...). */
    static final int POINTS_PER_DECADE = 20;

    record Series(String name, double[] x, double[] y, boolean dashed) {}

    /** What a peer's series adds to its scenario's name. */
    static final String PEER_SUFFIX = ", Redis";
    /** Strong colours that stay apart on white (Okabe-Ito, and a few more). */
    static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7), new Color(0xE69F00),
            new Color(0x56B4E9), new Color(0x000000), new Color(0x999933), new Color(0x882255)};

    private final List<Series> ack = new ArrayList<>();
    private final List<Series> e2e = new ArrayList<>();
    private final List<Series> throughput = new ArrayList<>();

    /** A scenario's ack latencies (sorted, nanoseconds). */
    synchronized void ack(String name, long[] sortedNanos, boolean peer) {
        if (sortedNanos.length > 0) {
            double[][] c = percentileCurve(sortedNanos, POINTS_PER_DECADE);
            ack.add(new Series(name, c[0], c[1], peer));
        }
    }

    /** A live reader's end-to-end latencies (sorted, nanoseconds). */
    synchronized void e2e(String name, long[] sortedNanos) {
        if (sortedNanos.length > 0) {
            double[][] c = percentileCurve(sortedNanos, POINTS_PER_DECADE);
            e2e.add(new Series(name, c[0], c[1], false));
        }
    }

    /** A scenario's records per second, second by second. */
    synchronized void throughput(String name, long[] perSecond, boolean peer) {
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < perSecond.length; i++) {
            if (perSecond[i] > 0) { // a log axis has no zero
                points.add(new double[]{i + 1, perSecond[i]});
            }
        }
        if (!points.isEmpty()) {
            throughput.add(new Series(name, points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray(), peer));
        }
    }

    /**
     * The percentile curve of {@code sorted}: x is 1 / (1 - p) (1 at the minimum, 10 at p90, 100 at p99...),
     * y the latency in milliseconds at that rank, {@code perDecade} points per decade up to the resolution of
     * the samples (x = n, the maximum).
     */
    static double[][] percentileCurve(long[] sorted, int perDecade) {
        int n = sorted.length;
        List<double[]> points = new ArrayList<>();
        for (int k = 0; ; k++) {
            double x = Math.pow(10, k / (double) perDecade);
            if (x >= n) {
                break;
            }
            // p = 1 - 1/x, and the rank of p is ceil(p n) - 1: computed as n - n/x, exact at the decades (p90, p99...).
            int rank = (int) Math.min(n - 1, Math.max(0, Math.ceil(n - n / x) - 1));
            points.add(new double[]{x, sorted[rank] / 1e6});
        }
        points.add(new double[]{n, sorted[n - 1] / 1e6}); // the maximum ends the curve
        return new double[][]{points.stream().mapToDouble(q -> q[0]).toArray(), points.stream().mapToDouble(q -> q[1]).toArray()};
    }

    /** Draws the charts that have data into {@code dir}; returns the files written. */
    synchronized List<Path> write(Path dir, String subtitle) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        if (!ack.isEmpty()) {
            written.add(save(dir.resolve("ack-latency.png"), percentileChart("Ack latency (append sent → acknowledged)", subtitle, ack)));
        }
        if (!e2e.isEmpty()) {
            written.add(save(dir.resolve("e2e-latency.png"), percentileChart("End-to-end latency (append sent → delivered to a live reader)",
                    subtitle, e2e)));
        }
        if (!throughput.isEmpty()) {
            JFreeChart chart = chart("Throughput over time", subtitle, "second of the scenario", "records/s (log)", throughput);
            XYPlot plot = chart.getXYPlot();
            LogAxis y = new LogAxis("records/s (log)");
            y.setNumberFormatOverride(new DecimalFormat("#,##0"));
            y.setTickUnit(new NumberTickUnit(1));
            plot.setRangeAxis(y);
            ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            written.add(save(dir.resolve("throughput.png"), chart));
        }
        return written;
    }

    private static JFreeChart percentileChart(String title, String subtitle, List<Series> series) {
        JFreeChart chart = chart(title, subtitle, "percentile", "latency, ms (log)", series);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("percentile");
        x.setNumberFormatOverride(new PercentileFormat());
        x.setTickUnit(new NumberTickUnit(1)); // one tick per decade: 0 %, 90 %, 99 %, 99.9 %...
        x.setSmallestValue(1);
        plot.setDomainAxis(x);
        LogAxis y = new LogAxis("latency, ms (log)");
        y.setSmallestValue(0.01);
        y.setNumberFormatOverride(new DecimalFormat("0.##"));
        y.setTickUnit(new NumberTickUnit(1));
        plot.setRangeAxis(y);
        return chart;
    }

    private static JFreeChart chart(String title, String subtitle, String xLabel, String yLabel, List<Series> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                xy.add(s.x()[i], s.y()[i]);
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        chart.addSubtitle(new TextTitle(subtitle));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
        // A scenario keeps its colour on Brook (solid) and on Redis (dashed): colours by name, peer suffix removed.
        List<String> scenarios = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            String scenario = series.get(i).name().replace(PEER_SUFFIX, "");
            if (!scenarios.contains(scenario)) {
                scenarios.add(scenario);
            }
            r.setSeriesPaint(i, PALETTE[scenarios.indexOf(scenario) % PALETTE.length]);
            r.setSeriesStroke(i, series.get(i).dashed()
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f)
                    : new BasicStroke(2f));
            r.setSeriesShapesVisible(i, false);
        }
        return chart;
    }

    private static Path save(Path file, JFreeChart chart) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }

    /** The percentile axis's labels: x = 1 / (1 - p) shown as p ("0", "90", "99", "99.9"...). */
    static final class PercentileFormat extends NumberFormat {
        @Override
        public StringBuffer format(double x, StringBuffer to, FieldPosition pos) {
            double p = 100 * (1 - 1 / x);
            return to.append(new DecimalFormat("0.####", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)).format(p)).append(" %");
        }

        @Override
        public StringBuffer format(long x, StringBuffer to, FieldPosition pos) {
            return format((double) x, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            throw new UnsupportedOperationException("labels only");
        }
    }
}
