package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code bench --window --explain-process} (issue 27.1): a whole explain process of the same case runs
 * in the same rounds as the sliding-window inference and is reported against it, with its peak
 * memory; the tiled input and the process's outputs lived in a cache folder that is gone afterwards.
 * No timing is asserted, only that the numbers are measured (positive, consistent).
 */
class BenchExplainProcessCliTest {
  private static final Pattern PROCESS = Pattern.compile("whole explain process \\(gradcam, all default outputs\\): +"
      + "([0-9.]+) ms += ([0-9.]+)x sliding-window inference \\(goal <= 1.2x\\); inside it ([0-9.]+) ms to the last "
      + "output, writing ([0-9.]+) ms; peak RSS ([0-9.]+) MB");
  private static final Pattern INFERENCE = Pattern.compile("sliding-window inference \\(plain model, 8 windows "
      + "\\[2, 2, 2\\], blending\\): +([0-9.]+) ms");

  @Test
  void benchTimesAWholeExplainProcessNextToTheInference() throws IOException {
    Cli.Run r = Cli.run("bench", "--model", WindowCliTest.MODEL.toString(), "--input",
        WindowCliTest.ROOT.resolve("inputs/seed_unet3d_sw.npy").toString(), "--tile-to", "40,56,48", "--window",
        "24,32,32", "--overlap", "0.25", "--layer", "up2", "--target", "2", "--threads", "1", "--repeat", "1",
        "--explain-process");
    assertEquals(0, r.exit(), r.toString());
    String out = r.out();
    Matcher inference = INFERENCE.matcher(out);
    assertTrue(inference.find(), out);
    Matcher m = PROCESS.matcher(out);
    assertTrue(m.find(), out);
    double wall = Double.parseDouble(m.group(1));
    double ratio = Double.parseDouble(m.group(2));
    double inside = Double.parseDouble(m.group(3));
    double writing = Double.parseDouble(m.group(4));
    double rss = Double.parseDouble(m.group(5));
    // one timed round: the ratio is the process's time over that round's inference
    assertEquals(wall / Double.parseDouble(inference.group(1)), ratio, 0.01 + 1e-3 * ratio, out);
    // the process's own account of its time lies inside its start-to-exit time
    assertTrue(writing > 0 && writing < inside && inside < wall, out);
    // a JVM with ONNX Runtime loaded holds tens of megabytes at least; far less than the machine
    assertTrue(rss > 30 && rss < 8192, out);
    Matcher wrote = Pattern.compile("the explain processes wrote into (.*) \\(deleted\\)").matcher(out);
    assertTrue(wrote.find(), out);
    Path work = Path.of(wrote.group(1));
    BenchFolders.assertGoneFromCache(work, BenchCommand.PROCESS_FOLDER_PREFIX);
  }

  @Test
  void anExplainProcessNeedsWindows() {
    Cli.Run r = Cli.run("bench", "--model", WindowCliTest.MODEL.toString(), "--input",
        WindowCliTest.ROOT.resolve("inputs/seed_unet3d_sw.npy").toString(), "--layer", "up2", "--explain-process");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("--explain-process") && r.err().contains("--window"), r.err());
  }

  @Test
  void theChildKeepsTheMemorySettingsAndDropsWhatWouldWriteElsewhere() {
    List<String> own = List.of("-Xmx8g", "-XX:+UseSerialGC", "-XX:SharedArchiveFile=/x/gradcam3d.jsa",
        "-XX:ArchiveClassesAtExit=/x/gradcam3d.jsa.1.tmp", "-XX:DumpLoadedClassList=/x/gradcam3d.jsa.2.classes",
        "-XX:StartFlightRecording=filename=/tmp/a.jfr",
        "-agentlib:jdwp=transport=dt_socket,server=y", "-Dgradcam3d.programCache=on");
    assertEquals(List.of("-Xmx8g", "-XX:+UseSerialGC", "-XX:SharedArchiveFile=/x/gradcam3d.jsa",
        "-Dgradcam3d.programCache=on"), ExplainProcess.childOptions(own));
  }
}
