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
 * {@code bench --batch 2} on the bundled demo (issue 27.2): both measurements are printed, the full
 * batch wrote what {@code batch} writes by default (its writers were timed), and its temporary
 * folder in the tool's cache is gone afterwards. No timing is asserted.
 */
class BenchBatchCliTest {
  private static final Pattern PER_CASE = Pattern.compile("([0-9.]+) ms per case");

  @Test
  void benchBatchPrintsBothMeasurementsAndLeavesNothingBehind() throws IOException {
    Cli.Run r = Cli.run("bench", "--batch", "2", "--repeat", "1", "--threads", "1", "--model",
        DemoScans.MODEL.toString(), "--input", DemoScans.DEMO.resolve("demo_case1.nii.gz").toString(), "--layer",
        "up2", "--target", "1");
    assertEquals(0, r.exit(), r.toString());
    String out = r.out();
    assertTrue(out.startsWith("batch of 2 copies of demo_case1.nii.gz: gradcam at up2"), out);
    double compute = perCase(out, "compute only (read + preprocess + explain, nothing written):");
    double full = perCase(out, "full batch (batch's default outputs, a temporary folder):");
    assertTrue(compute > 0 && full > 0, out);
    assertTrue(out.contains("compute only (median of the rounds' ratios ["), out);
    for (String phase : List.of("batch thread: explaining", "read-ahead thread: reading",
        "writing thread: writing a case", "batch thread: waiting on the queue")) {
      assertTrue(out.contains(phase), phase + " in " + out);
    }
    // the formats batch writes by default were written, each by its own writer
    for (String writer : List.of("    Npy ", "    NiftiMap ", "    Picture ", "    SummaryJson ")) {
      assertTrue(out.contains(writer), writer + " in " + out);
    }
    Matcher wrote = Pattern.compile("the full batches wrote (.*) per case and batch.csv into (.*) \\(deleted\\)")
        .matcher(out);
    assertTrue(wrote.find(), out);
    assertEquals("cam.nii.gz, cam.npy, montage.png, overlay.png, summary.json", wrote.group(1));
    Path work = Path.of(wrote.group(2));
    BenchFolders.assertGoneFromCache(work, BatchBench.FOLDER_PREFIX);
  }

  @Test
  void aBatchOfNoCasesIsABadOptionValue() {
    Cli.Run r = Cli.run("bench", "--batch", "0", "--model", DemoScans.MODEL.toString(), "--input",
        DemoScans.DEMO.resolve("demo_case1.nii.gz").toString(), "--layer", "up2");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("--batch"), r.err());
  }

  private static double perCase(String out, String label) {
    int at = out.indexOf(label);
    assertTrue(at >= 0, label + " in " + out);
    Matcher m = PER_CASE.matcher(out.substring(at + label.length()));
    assertTrue(m.find(), out);
    return Double.parseDouble(m.group(1));
  }
}
