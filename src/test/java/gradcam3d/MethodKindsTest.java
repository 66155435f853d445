package gradcam3d;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.cam.CamMethod;
import gradcam3d.cam.methods.CamMethods;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Code outside the cam package asks a method what it needs (issue 25) rather than testing which
 * kind of {@link CamMethod} it is: the properties below, against the methods each should hold for,
 * named one by one; and no main source outside cam tests or casts a method's kind.
 */
class MethodKindsTest {
  private static final Path MAIN = Path.of("src/main/java");
  /** {@code instanceof CamMethod.X} or a cast {@code (CamMethod.X) m}, qualified or not. */
  private static final Pattern KIND_TEST = Pattern.compile(
      "instanceof\\s+(?:gradcam3d\\.cam\\.)?CamMethod\\.\\w+|\\(\\s*(?:gradcam3d\\.cam\\.)?CamMethod\\.\\w+\\s*\\)\\s*[\\w(]");

  @Test
  void methodsSayWhatSlidingWindowsBenchAndTheSummaryNeed() {
    assertEquals(Set.of("scorecam", "ablationcam"), holding(CamMethod::forwardPassPerChannel),
        "a forward pass per channel");
    assertEquals(Set.of("occlusion"), holding(m -> m.occlusion() != null), "an attribution from occluded copies");
    assertEquals(Set.of("saliency", "input-x-gradient", "smoothgrad", "integrated-gradients", "guided-backprop",
        "guided-gradcam", "lrp", "occlusion"), holding(m -> m.attributionMap() != null),
        "a map reduced from an input-space attribution");
    assertEquals(Set.of("gradcam", "hirescam", "gradcam-elementwise", "gradcam++", "xgradcam", "layercam",
        "eigengradcam", "seg-eigen-cam", "finer-cam", "fullgrad", "refine-cam", "dff", "shapley-cam"),
        holding(CamMethod::reportsConditioning), "weights_ill_conditioned in summary.json");
    // LRP at layers (the relevance arriving there) reads gradients at its layers
    assertEquals(true, CamMethods.byName("lrp").atLayers().reportsConditioning());
  }

  @Test
  void noCodeOutsideCamDispatchesOnAMethodsKind() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        String path = MAIN.relativize(f).toString().replace('\\', '/');
        if (path.startsWith("gradcam3d/cam/")) {
          continue;
        }
        StringBuilder code = new StringBuilder();
        PackageLayersTest.split(Files.readString(f), code, new ArrayList<>());
        Matcher m = KIND_TEST.matcher(code);
        while (m.find()) {
          found.add(path + ": " + m.group());
        }
      }
    }
    assertEquals(List.of(), found, "ask the method (a property of CamMethod) instead of testing its kind");
  }

  @Test
  void theGuardSeesKindTestsAndCasts() {
    assertEquals(true, KIND_TEST.matcher("if (m instanceof CamMethod.InputSpace) {").find());
    assertEquals(true, KIND_TEST.matcher("x = ((gradcam3d.cam.CamMethod.InputSpace) m).map(s);").find());
    assertEquals(true, KIND_TEST.matcher("var o = (CamMethod.Occluding) request.method();").find());
    assertEquals(false, KIND_TEST.matcher("CamMethod.Occluding o = m.occlusion();").find());
    assertEquals(false, KIND_TEST.matcher("void f(CamMethod.Occluding method) {").find());
  }

  private static Set<String> holding(Predicate<CamMethod> property) {
    Set<String> names = new TreeSet<>();
    for (String n : CamMethods.names()) {
      if (property.test(CamMethods.byName(n))) {
        names.add(n);
      }
    }
    return names;
  }
}
