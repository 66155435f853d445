package gradcam3d.runtime;

import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.autodiff.GradientProgram;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.cam.methods.GradCam;
import gradcam3d.cam.methods.HiResCam;
import gradcam3d.graph.LayerResolver;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.testing.ProgramCacheFolder;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-disk cache of compiled programs: a hit gives exactly the maps a fresh compilation gives,
 * and nothing that differs in model, layer, method or input shape ever meets an old entry.
 */
class ProgramCacheTest {
  @RegisterExtension
  final ProgramCacheFolder programs = new ProgramCacheFolder();

  private static final Path MODEL = Fixtures.ROOT.resolve("models/seed_unet3d.onnx");
  private static final FloatTensor X = Npy.read(Fixtures.ROOT.resolve("inputs/seed_unet3d.npy"));

  @TempDir
  Path tmp;



  private static Explanation explain(ModelProto model, String layer, CamMethod method, FloatTensor x) {
    return explain(model, layer, method, x, new RuntimeOptions(1));
  }

  private static Explanation explain(ModelProto model, String layer, CamMethod method, FloatTensor x,
      RuntimeOptions options) {
    Request r = new Request(List.of(LayerSpec.named(layer)), method, List.of(Target.parse("2")), 0,
        Score.LOGITS, false, 1, Progress.NONE);
    try (Explainer e = new Explainer(model, r, options)) {
      return e.explain(Map.of("input", x));
    }
  }

  private Path modelCopy() throws IOException {
    Path m = tmp.resolve("model.onnx");
    Files.copy(MODEL, m);
    return m;
  }

  private long entries(String ext) throws IOException {
    if (!Files.isDirectory(programs.path())) {
      return 0;
    }
    try (Stream<Path> s = Files.list(programs.path())) {
      return s.filter(p -> p.getFileName().toString().endsWith(ext)).count();
    }
  }

  private static void assertSameMaps(Explanation a, Explanation b) {
    assertArrayEquals(a.layers().get(0).camLayer().data(), b.layers().get(0).camLayer().data());
    assertArrayEquals(a.cam().data(), b.cam().data());
    assertArrayEquals(a.targetValues().data(), b.targetValues().data());
  }

  @Test
  void aSecondRunReadsTheCompiledProgramAndGivesTheSameMaps() throws IOException {
    ModelProto m = ModelIO.read(modelCopy());
    Explanation first = explain(m, "down3", new GradCam(), X);
    assertEquals("miss", first.compileStats().cache());
    assertEquals(1, entries(".onnx"));
    assertEquals(1, entries(".meta"));
    Explanation second = explain(m, "down3", new GradCam(), X);
    assertEquals("hit", second.compileStats().cache());
    assertEquals(first.compileStats().nodes(), second.compileStats().nodes());
    assertSameMaps(first, second);
    // and both are what an engine without the cache computes
    System.clearProperty(ProgramCache.PROPERTY);
    Explanation uncached = explain(m, "down3", new GradCam(), X);
    assertEquals("off", uncached.compileStats().cache());
    assertSameMaps(first, uncached);
  }

  @Test
  void anotherLayerMethodOrInputShapeIsAnotherProgram() throws IOException {
    ModelProto m = ModelIO.read(modelCopy());
    assertEquals("miss", explain(m, "down3", new GradCam(), X).compileStats().cache());
    assertEquals("miss", explain(m, "down2", new GradCam(), X).compileStats().cache());
    assertEquals("miss", explain(m, "down3", new HiResCam(), X).compileStats().cache());
    FloatTensor bigger = FloatTensor.zeros(1, 1, 16, 16, 16);
    assertEquals("miss", explain(m, "down3", new GradCam(), bigger).compileStats().cache());
    assertEquals(4, entries(".meta"));
    assertEquals("hit", explain(m, "down2", new GradCam(), X).compileStats().cache());
  }

  @Test
  void aChangedModelFileNeverMeetsTheOldProgram() throws IOException {
    Path file = modelCopy();
    ModelProto m = ModelIO.read(file);
    Explanation before = explain(m, "down3", new GradCam(), X);
    // the same graph with one weight changed, written over the same file
    ModelProto.Builder b = m.toBuilder();
    int w = 0;
    while (b.getGraph().getInitializer(w).getRawData().size() < 4) {
      w++;
    }
    TensorProto t = b.getGraph().getInitializer(w);
    ByteBuffer raw = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    raw.putFloat(0, raw.getFloat(0) + 0.5f);
    b.getGraphBuilder().setInitializer(w, t.toBuilder().setRawData(com.google.protobuf.ByteString.copyFrom(raw.array())));
    ModelIO.write(b.build(), file, Long.MAX_VALUE);
    ModelProto changed = ModelIO.read(file);
    Explanation after = explain(changed, "down3", new GradCam(), X);
    assertEquals("miss", after.compileStats().cache());
    assertTrue(maxAbsDiff(after.targetValues(), before.targetValues()) > 0, "the changed weight changes the target");
    System.clearProperty(ProgramCache.PROPERTY);
    assertSameMaps(explain(changed, "down3", new GradCam(), X), after);
  }

  @Test
  void aDamagedEntryIsCompiledAgain() throws IOException {
    ModelProto m = ModelIO.read(modelCopy());
    Explanation first = explain(m, "down3", new GradCam(), X);
    Path onnx;
    try (Stream<Path> s = Files.list(programs.path())) {
      onnx = s.filter(p -> p.toString().endsWith(".onnx")).findFirst().orElseThrow();
    }
    Files.write(onnx, new byte[] {1, 2, 3, 4, 5});
    Explanation again = explain(m, "down3", new GradCam(), X);
    assertEquals("miss", again.compileStats().cache());
    assertSameMaps(first, again);
    assertEquals("hit", explain(m, "down3", new GradCam(), X).compileStats().cache(), "stored again");
    Path meta = Path.of(onnx.toString().replace(".onnx", ".meta"));
    String text = Files.readString(meta);
    Files.writeString(meta, text.substring(0, text.length() - 20));
    Explanation truncated = explain(m, "down3", new GradCam(), X);
    assertEquals("miss", truncated.compileStats().cache());
    assertSameMaps(first, truncated);
    Files.write(onnx, java.util.Arrays.copyOf(Files.readAllBytes(onnx), (int) Files.size(onnx) / 2));
    Explanation half = explain(m, "down3", new GradCam(), X);
    assertEquals("miss", half.compileStats().cache());
    assertSameMaps(first, half);
  }

  @Test
  void optionsCanKeepAnEngineOffTheCache() throws IOException {
    ModelProto m = ModelIO.read(modelCopy());
    assertEquals("off", explain(m, "down3", new GradCam(), X, new RuntimeOptions(1).withProgramCache(false))
        .compileStats().cache());
    assertEquals(0, entries(".meta"));
  }

  @Test
  void aModelNotReadFromAFileIsNotCached() throws IOException {
    ModelProto inMemory = ModelIO.read(modelCopy()).toBuilder().setDocString("built in memory").build();
    assertEquals("not cacheable", explain(inMemory, "down3", new GradCam(), X).compileStats().cache());
    assertEquals(0, entries(".meta"));
  }

  @Test
  void theMetadataKeepsNamesWithSpacesAndSymbols() throws IOException {
    ProgramCache c = new ProgramCache(tmp, "test", 1 << 20);
    ProgramCache.Key key = c.key("model=1;layers=8:a b%c\nd");
    GradientProgram.Info info = new GradientProgram.Info(List.of(new GradientProgram.LayerGradient(
        new LayerResolver.Layer("blocks.0 (x)", "blocks.0", 1, "/blocks.0/Add output"), "/blocks.0/Add output",
        "gc3d grad é", new long[] {1, 8, 4, 5, 6}), new GradientProgram.LayerGradient(
        new LayerResolver.Layer("head", "head", -1, "t"), "t", null, new long[] {2, 3}),
        // a layer given by its tensor name has no module
        new GradientProgram.LayerGradient(new LayerResolver.Layer("/x/y:grid=2,3", null, 0, "/x/y"), "gc3d/view",
            "gc3d/view_grad", new long[] {1, 4, 2, 3})), "out put",
        new long[] {1, 3, 4, 5, 6}, Map.of("in put", new long[] {1, 1, 4, 5, 6}), List.of("cam_layer_0", "a%20b"));
    c.store(key, new byte[] {7}, info, 42);
    assertTrue(Files.readString(tmp.resolve(key.name() + ".meta")).endsWith("\nend\n"));
    ProgramCache.Entry e = c.load(key);
    assertEquals(42, e.nodes());
    assertEquals("out put", e.info().modelOutput());
    assertArrayEquals(new long[] {1, 3, 4, 5, 6}, e.info().modelOutputShape());
    assertArrayEquals(new long[] {1, 1, 4, 5, 6}, e.info().inputShapes().get("in put"));
    assertEquals(List.of("cam_layer_0", "a%20b"), e.info().outputs());
    GradientProgram.LayerGradient l0 = e.info().layers().get(0);
    assertEquals(info.layers().get(0).layer(), l0.layer());
    assertEquals("gc3d grad é", l0.gradient());
    assertArrayEquals(new long[] {1, 8, 4, 5, 6}, l0.shape());
    assertNull(e.info().layers().get(1).gradient());
    assertArrayEquals(new long[] {2, 3}, e.info().layers().get(1).shape());
    assertEquals(info.layers().get(2).layer(), e.info().layers().get(2).layer());
    assertNull(e.info().layers().get(2).layer().module());
    // another description with the same file name is not this entry
    assertNull(c.load(new ProgramCache.Key(key.name(), key.description() + "x")));
  }

  @Test
  void theLeastRecentlyUsedEntriesGoWhenTheFolderIsFull() throws IOException {
    ProgramCache c = new ProgramCache(tmp, "test", 2500);
    GradientProgram.Info info = new GradientProgram.Info(List.of(new GradientProgram.LayerGradient(
        new LayerResolver.Layer("l", "l", -1, "t"), "t", "g", new long[] {1})), "o", new long[] {1},
        Map.of("i", new long[] {1}), List.of("o"));
    ProgramCache.Key a = c.key("a");
    ProgramCache.Key b = c.key("b");
    ProgramCache.Key d = c.key("d");
    c.store(a, new byte[1000], info, 1);
    c.store(b, new byte[1000], info, 1);
    Files.setLastModifiedTime(tmp.resolve(a.name() + ".meta"), FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(tmp.resolve(b.name() + ".meta"), FileTime.fromMillis(2_000_000));
    c.store(d, new byte[1000], info, 1);
    assertNull(c.load(a), "the oldest entry made room");
    assertFalse(Files.exists(tmp.resolve(a.name() + ".onnx")));
    assertTrue(c.load(b) != null && c.load(d) != null);
  }
  private Path onlyEntry(String ext) throws IOException {
    try (Stream<Path> s = Files.list(programs.path())) {
      return s.filter(p -> p.toString().endsWith(ext)).findFirst().orElseThrow();
    }
  }

  /** The cached program with {@code count} floats of its largest weight negated in place: same size. */
  private static void negateWeights(Path onnx, int count) throws IOException {
    ModelProto p = ModelProto.parseFrom(Files.readAllBytes(onnx));
    TensorProto biggest = p.getGraph().getInitializerList().stream()
        .max(java.util.Comparator.comparingInt(t -> t.getRawData().size())).orElseThrow();
    byte[] file = Files.readAllBytes(onnx);
    byte[] raw = biggest.getRawData().toByteArray();
    int at = indexOf(file, raw);
    assertTrue(at >= 0, "the raw weights are in the file");
    for (int k = 0; k < count; k++) {
      file[at + 4 * k + 3] ^= (byte) 0x80; // the float's sign bit (little-endian)
    }
    Files.write(onnx, file);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void aSameSizeEditOfTheProgramIsNotServed() throws IOException {
    ModelProto m = ModelIO.read(modelCopy());
    Explanation first = explain(m, "down3", new GradCam(), X);
    Path onnx = onlyEntry(".onnx");
    long size = Files.size(onnx);
    negateWeights(onnx, 4);
    assertEquals(size, Files.size(onnx));
    Explanation again = explain(m, "down3", new GradCam(), X);
    assertEquals("miss", again.compileStats().cache(), "the damaged entry is compiled again");
    assertSameMaps(first, again);
    assertEquals("hit", explain(m, "down3", new GradCam(), X).compileStats().cache(), "and stored again");
  }

  @Test
  void anotherProgramPutInAnEntrysPlaceIsNotServed() throws IOException {
    ModelProto m = ModelIO.read(modelCopy());
    Explanation gradcam = explain(m, "down3", new GradCam(), X);
    Path gradcamOnnx = onlyEntry(".onnx");
    Path gradcamMeta = Path.of(gradcamOnnx.toString().replace(".onnx", ".meta"));
    Explanation hirescam = explain(m, "down3", new HiResCam(), X);
    Path hirescamOnnx;
    try (Stream<Path> s = Files.list(programs.path())) {
      hirescamOnnx = s.filter(p -> p.toString().endsWith(".onnx") && !p.equals(gradcamOnnx)).findFirst().orElseThrow();
    }
    Path hirescamMeta = Path.of(hirescamOnnx.toString().replace(".onnx", ".meta"));
    assertTrue(maxAbsDiff(gradcam.cam(), hirescam.cam()) > 1e-3, "the two methods differ on this case");
    String gradcamText = Files.readString(gradcamMeta);
    String hirescamText = Files.readString(hirescamMeta);

    // the other program's bytes, with the meta edited to their size and the other entry's records
    Files.copy(hirescamOnnx, gradcamOnnx, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String head = gradcamText.substring(0, gradcamText.indexOf("\nnodes "));
    Files.writeString(gradcamMeta, head + hirescamText.substring(hirescamText.indexOf("\nnodes ")));
    Explanation swapped = explain(m, "down3", new GradCam(), X);
    assertEquals("miss", swapped.compileStats().cache());
    assertSameMaps(gradcam, swapped);

    // a symbolic link to the other entry's program
    Files.delete(gradcamOnnx);
    Files.createSymbolicLink(gradcamOnnx, hirescamOnnx);
    Files.writeString(gradcamMeta, head + hirescamText.substring(hirescamText.indexOf("\nnodes ")));
    Explanation linked = explain(m, "down3", new GradCam(), X);
    assertEquals("miss", linked.compileStats().cache());
    assertSameMaps(gradcam, linked);
    assertFalse(Files.isSymbolicLink(gradcamOnnx), "the link was replaced by the compiled program");

    // a linked meta file is not read either
    Path metaCopy = tmp.resolve("meta-elsewhere");
    Files.move(gradcamMeta, metaCopy);
    Files.createSymbolicLink(gradcamMeta, metaCopy);
    assertEquals("miss", explain(m, "down3", new GradCam(), X).compileStats().cache());
  }

  @Test
  void theCapacityIsAnOptionWithASmallDefault() {
    System.setProperty(ProgramCache.LIMIT_PROPERTY, "3");
    try {
      assertEquals(3L << 20, ProgramCache.configured().capacity());
      System.setProperty(ProgramCache.LIMIT_PROPERTY, "lots");
      gradcam3d.Gradcam3dException e = org.junit.jupiter.api.Assertions.assertThrows(
          gradcam3d.Gradcam3dException.class, ProgramCache::configured);
      assertTrue(e.getMessage().contains("GRADCAM3D_PROGRAM_CACHE_MB"), e.getMessage());
    } finally {
      System.clearProperty(ProgramCache.LIMIT_PROPERTY);
    }
    assertEquals(256L << 20, ProgramCache.configured().capacity());
  }
}
