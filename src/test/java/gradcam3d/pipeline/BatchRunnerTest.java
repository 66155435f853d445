package gradcam3d.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Target;
import gradcam3d.cam.methods.CamMethods;
import gradcam3d.cam.Progress;
import gradcam3d.graph.LayerSpec;
import gradcam3d.output.CompletedResult;
import gradcam3d.output.OutputSettings;
import gradcam3d.output.ResultWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library batch loop on the bundled demo (a 3D U-Net, Grad-CAM at up2, class 1): failing cases
 * are results and the batch goes on, a share runs only its cases, a complete earlier result is
 * kept and an incomplete one redone, and the next case's input is read while this one is explained.
 * The numbers are those the command line reports for the same cases (region 1951 voxels, 58.1% of
 * the map inside case 1's label: CohortJobTest, BatchCliTest).
 */
class BatchRunnerTest {
  private static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo");
  private static ExplanationPipeline pipeline;

  @TempDir
  Path tmp;

  @BeforeAll
  static void openPipeline() {
    pipeline = new ExplanationPipeline(Settings.of(DEMO.resolve("demo_unet3d.onnx"), LayerSpec.names("up2"))
        .withMethod(CamMethods.byName("gradcam")).withTargets(List.of(Target.parse("1"))).withThreads(1));
  }

  @AfterAll
  static void closePipeline() {
    pipeline.close();
  }

  /** A sink that records what the runner tells it, in order; cases are listed cases by name. */
  private static final class Recording implements BatchRunner.Sink<CaseListing.Listed, CompletedResult, String> {
    /** Appended on the batch's thread and on the writing thread. */
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    /** Cases opened and not yet ended (read, explained or being written), and the most at once. */
    final AtomicInteger held = new AtomicInteger();
    final AtomicInteger mostHeld = new AtomicInteger();
    final Map<String, CaseResult> explained = new LinkedHashMap<>();
    final Map<String, String> failed = new LinkedHashMap<>();
    final Map<String, CompletedResult> kept = new LinkedHashMap<>();
    Function<String, CompletedResult> earlier = name -> null;
    BiConsumer<String, CaseResult> write = (name, r) -> { };

    @Override
    public CompletedResult earlier(CaseListing.Listed c) {
      return earlier.apply(c.name());
    }

    @Override
    public BatchRunner.Case open(CaseListing.Listed c) {
      events.add("open " + c.name());
      mostHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
      return BatchRunner.Case.of(c.name(), c, null);
    }

    @Override
    public String prepare(CaseListing.Listed c, LoadedCase loaded) {
      events.add("prepare " + c.name());
      return "prepared " + c.name();
    }

    @Override
    public void explained(CaseListing.Listed c, CaseResult r, String prepared, double seconds) {
      assertEquals("prepared " + c.name(), prepared, "what prepare made on the loaded input reaches the writer");
      events.add("explained " + c.name());
      explained.put(c.name(), r);
      write.accept(c.name(), r);
      events.add("written " + c.name());
      held.decrementAndGet();
    }

    @Override
    public void kept(CaseListing.Listed c, CompletedResult done, double seconds) {
      events.add("kept " + c.name());
      kept.put(c.name(), done);
    }

    @Override
    public void failed(CaseListing.Listed c, String error, double seconds) {
      events.add("failed " + c.name());
      failed.put(c.name(), error);
      held.decrementAndGet();
    }
  }

  /** Counts the steps a batch reports. */
  private static final class Steps implements Progress {
    long steps;

    @Override
    public void start(String task, long total) { }

    @Override
    public void advance(long n) {
      steps += n;
    }

    @Override
    public void finish() { }
  }

  private static long regionVoxels(CaseResult r) {
    return r.targets().get(0).regionVoxels();
  }

  private Path caseFolder(String... demoFiles) throws IOException {
    Path in = Files.createDirectories(tmp.resolve("in"));
    for (String f : demoFiles) {
      Files.copy(DEMO.resolve(f), in.resolve(f));
    }
    return in;
  }

  @Test
  void failingCasesAreResultsAndTheNextCaseIsReadWhileThisOneIsExplained() throws IOException {
    Path in = caseFolder("demo_case1.nii.gz", "demo_case1_label.nii.gz", "demo_case2.nii.gz",
        "demo_case2_label.nii.gz", "demo_case3.nii.gz");
    Files.write(in.resolve("broken.nii.gz"), new byte[] {31, -117, 8, 0});
    // sorted: broken (unreadable), demo_case1, demo_case2, demo_case3 (its label is missing)
    List<CaseListing.Listed> cases = CaseListing.of(List.of(), in, "_label", null, Arrays.asList("_label"));
    assertEquals(List.of("broken", "demo_case1", "demo_case2", "demo_case3"),
        cases.stream().map(CaseListing.Listed::name).toList());
    Recording sink = new Recording();
    // case 2's file is gone once case 1 is written: only a read-ahead copy can explain it
    sink.write = (name, r) -> {
      if (name.equals("demo_case1")) {
        delete(in.resolve("demo_case2.nii.gz"));
      }
    };
    Steps steps = new Steps();
    BatchRunner.Tally t = new BatchRunner(pipeline).run(cases, Shard.ALL, sink, steps);

    assertEquals(new BatchRunner.Tally(2, 0, 2), t);
    assertEquals(4, steps.steps);
    String broken = sink.failed.get("broken");
    assertTrue(broken.contains("broken.nii.gz") && !broken.contains("\n"), broken);
    assertEquals("no label file " + in.resolve("demo_case3_label.nii.gz") + " for case demo_case3.nii.gz",
        sink.failed.get("demo_case3"), "a missing label is an error of its case, as the command line says it");
    CaseResult r1 = sink.explained.get("demo_case1");
    assertEquals(1, r1.targets().get(0).explainedClass());
    assertEquals(1951, regionVoxels(r1));
    assertEquals(0.581, r1.label().massInside(), 0.005);
    // case 2 was read before case 1 was written, and is what a pipeline makes of it on its own
    assertTrue(sink.events.indexOf("open demo_case2") < sink.events.indexOf("explained demo_case1"), sink.events.toString());
    CaseResult alone = pipeline.run(CaseInput.of(List.of(DEMO.resolve("demo_case2.nii.gz")),
        in.resolve("demo_case2_label.nii.gz")));
    CaseResult r2 = sink.explained.get("demo_case2");
    assertEquals(regionVoxels(alone), regionVoxels(r2));
    assertEquals(alone.label().massInside(), r2.label().massInside(), 1e-12);
    assertArrayEquals(alone.explanation().cam().data(), r2.explanation().cam().data());
    assertFalse(sink.events.contains("prepare broken") || sink.events.contains("prepare demo_case3"),
        "a failing case is never handed to the writer: " + sink.events);

    // the same without read-ahead: case 2 is read at its turn, after its file went
    Files.copy(DEMO.resolve("demo_case2.nii.gz"), in.resolve("demo_case2.nii.gz"));
    Recording late = new Recording();
    late.write = sink.write;
    BatchRunner.Tally t2 = new BatchRunner(pipeline).withoutReadAhead().withoutOverlappedWriting()
        .run(cases.subList(1, 3), Shard.ALL, late, Progress.NONE);
    assertEquals(new BatchRunner.Tally(1, 0, 1), t2);
    assertTrue(late.failed.get("demo_case2").contains("demo_case2.nii.gz"), late.failed.toString());
    assertTrue(late.events.indexOf("open demo_case2") > late.events.indexOf("explained demo_case1"),
        late.events.toString());
  }

  @Test
  void aShareRunsOnlyItsCasesAndResumeKeepsCompleteResultsOnly() throws IOException {
    Path in = caseFolder("demo_case1.nii.gz", "demo_case2.nii.gz", "demo_case3.nii.gz");
    List<CaseListing.Listed> cases = CaseListing.of(List.of(), in, null, null, List.of());
    Path out = tmp.resolve("out");
    Recording first = new Recording();
    first.write = (name, r) -> ResultWriter.write(r, new OutputSettings(out.resolve(name), false, false, false,
        OutputSettings.into(out).render()));
    Steps steps = new Steps();
    // share 1 of 2 holds positions 0 and 2 of the stable order
    BatchRunner.Tally t = new BatchRunner(pipeline).run(cases, new Shard(1, 2), first, steps);
    assertEquals(new BatchRunner.Tally(2, 0, 0), t);
    assertEquals(2, steps.steps);
    assertEquals(List.of("demo_case1", "demo_case3"), List.copyOf(first.explained.keySet()));
    assertFalse(first.events.contains("open demo_case2"), first.events.toString());
    assertEquals(1951, regionVoxels(first.explained.get("demo_case1")));

    // case 3's result loses a file it lists: incomplete, explained again; case 1's is kept as it is
    Files.delete(out.resolve("demo_case3/cam.npy"));
    FileTime written = Files.getLastModifiedTime(out.resolve("demo_case1/summary.json"));
    Recording resumed = new Recording();
    resumed.earlier = name -> CompletedResult.check(out.resolve(name), null).result();
    resumed.write = first.write;
    BatchRunner.Tally t2 = new BatchRunner(pipeline).run(cases, Shard.ALL, resumed, Progress.NONE);
    assertEquals(new BatchRunner.Tally(2, 1, 0), t2);
    assertEquals(List.of("kept demo_case1", "explained demo_case2", "explained demo_case3"),
        resumed.events.stream().filter(e -> e.startsWith("kept") || e.startsWith("explained")).toList());
    assertFalse(resumed.events.contains("open demo_case1"), "a kept case is not even opened");
    CompletedResult kept = resumed.kept.get("demo_case1");
    assertEquals(1951, kept.regionVoxels());
    assertEquals(1, kept.explainedClass());
    assertEquals(first.explained.get("demo_case1").targets().get(0).value(), kept.targetValue(), 1e-6);
    assertEquals(written, Files.getLastModifiedTime(out.resolve("demo_case1/summary.json")), "not rewritten");
    assertTrue(Files.isRegularFile(out.resolve("demo_case3/cam.npy")), "the incomplete case is complete again");
    assertArrayEquals(first.explained.get("demo_case3").explanation().cam().data(),
        resumed.explained.get("demo_case3").explanation().cam().data());
  }

  /**
   * Issue 27: a case is written while the next one is explained, and a writer that falls behind
   * holds the batch at two cases (one written, one explained or read), not a growing queue; what is
   * written is byte for byte what the loop writing each case before the next writes.
   */
  @Test
  void aSlowWriterHoldsTwoCasesAndTheFilesAreThoseOfTheSerialLoop() throws IOException {
    Path in = caseFolder("demo_case1.nii.gz", "demo_case2.nii.gz", "demo_case3.nii.gz");
    List<CaseListing.Listed> cases = CaseListing.of(List.of(), in, null, null, List.of());
    Path overlapped = tmp.resolve("overlapped");
    Path serial = tmp.resolve("serial");
    Recording slow = new Recording();
    slow.write = (name, r) -> {
      sleep(800);
      ResultWriter.write(r, new OutputSettings(overlapped.resolve(name), false, false, true,
          OutputSettings.into(overlapped).render()));
    };
    BatchRunner.Timings phases = new BatchRunner.Timings();
    assertEquals(new BatchRunner.Tally(3, 0, 0), new BatchRunner(pipeline).timedInto(phases).run(cases, Shard.ALL, slow,
        Progress.NONE));
    List<String> e = List.copyOf(slow.events);
    // where the time went: three writes of at least 0.8 s each on the writing thread, the last of
    // them waited for at the end; the inputs of cases 2 and 3 were read ahead
    assertTrue(phases.seconds(BatchRunner.Phase.WRITING) >= 2.4, "" + phases.seconds(BatchRunner.Phase.WRITING));
    assertTrue(phases.seconds(BatchRunner.Phase.LAST_WRITES) > 0.5, "" + phases.seconds(BatchRunner.Phase.LAST_WRITES));
    for (BatchRunner.Phase p : List.of(BatchRunner.Phase.OPENING, BatchRunner.Phase.READING,
        BatchRunner.Phase.LOADING, BatchRunner.Phase.PREPARING, BatchRunner.Phase.EXPLAINING)) {
      assertTrue(phases.seconds(p) > 0, p.toString());
    }
    assertEquals(BatchRunner.CASES_HELD, slow.mostHeld.get(), e.toString());
    assertEquals(0, slow.held.get());
    // case 2 is explained while case 1 is written; case 3 waits for case 1's write to end
    assertTrue(e.indexOf("prepare demo_case2") < e.indexOf("written demo_case1"), e.toString());
    assertTrue(e.indexOf("open demo_case3") > e.indexOf("written demo_case1"), e.toString());
    assertEquals(List.of("written demo_case1", "written demo_case2", "written demo_case3"),
        e.stream().filter(x -> x.startsWith("written")).toList(), "written in case order");

    Recording inline = new Recording();
    inline.write = (name, r) -> ResultWriter.write(r, new OutputSettings(serial.resolve(name), false, false, true,
        OutputSettings.into(serial).render()));
    new BatchRunner(pipeline).withoutOverlappedWriting().run(cases, Shard.ALL, inline, Progress.NONE);
    assertTrue(inline.mostHeld.get() <= BatchRunner.CASES_HELD);
    for (String name : List.of("demo_case1", "demo_case2", "demo_case3")) {
      List<String> files;
      try (var list = Files.list(serial.resolve(name))) {
        files = list.map(f -> f.getFileName().toString()).sorted().toList();
      }
      assertTrue(files.containsAll(List.of("cam.npy", "cam.nii.gz", "overlay.png", "montage.png")), files.toString());
      for (String f : files) {
        if (!f.equals("summary.json") && !f.equals("report.html")) { // they record the times
          assertArrayEquals(Files.readAllBytes(serial.resolve(name).resolve(f)),
              Files.readAllBytes(overlapped.resolve(name).resolve(f)), name + "/" + f);
        }
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
