package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.pipeline.CaseResult;
import gradcam3d.render.RenderOptions;
import gradcam3d.report.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 512 x 512 x 300 CT's pictures and report (issue 27.3): drawn from 2 x 2 x 2 blocks, sized as
 * issue 16 set (within the 2000 px figure size, the three planes side by side as the physical
 * sizes allow), looking where the map peaks (the synthetic map's known centre, as full-resolution
 * indices), and a report page of a few MB that says what it stores. Timing is in docs/benchmarks.md
 * ({@link LargeScanBench}), not here.
 */
class LargeScanPicturesTest {
  @TempDir
  Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void ctSizedCaseGetsDisplaySizedPicturesAndPage() throws Exception {
    CaseResult r = LargeScanCase.make(tmp);
    Path out = java.nio.file.Files.createDirectories(tmp.resolve("out"));
    OutputSettings o = OutputSettings.into(out);
    // the pictures and the report as ResultWriter runs them (side by side), without the full-size map files
    PictureWriter p = new PictureWriter();
    HtmlReportWriter h = new HtmlReportWriter();
    p.beginInput(r.loaded(), r.settings().layout(), o);
    h.beginInput(r.loaded(), r.settings().layout(), o);
    p.begin(r, o, out);
    h.begin(r, o, out);
    Written w = new Written();
    p.write(r, o, out, w);
    h.write(r, o, out, w);
    BufferedImage overlay = ImageIO.read(out.resolve("overlay.png").toFile());
    BufferedImage montage = ImageIO.read(out.resolve("montage.png").toFile());
    int limit = RenderOptions.DEFAULT_FIGURE_SIZE;
    // 358 x 358 x 300 mm: three panels in a row at 1 px per 0.7 mm (as the full grid would be drawn), the colour bar beside
    assertTrue(overlay.getWidth() <= limit && overlay.getHeight() <= limit, overlay.getWidth() + "x" + overlay.getHeight());
    assertTrue(overlay.getWidth() > 3 * 512 && overlay.getHeight() >= 512 && overlay.getHeight() < 600,
        overlay.getWidth() + "x" + overlay.getHeight());
    assertTrue(montage.getWidth() <= limit && montage.getHeight() <= limit && Math.max(montage.getWidth(),
        montage.getHeight()) > limit / 2, montage.getWidth() + "x" + montage.getHeight());

    Written.Pictures pictures = w.pictures().get(0);
    // the map's maximum is the blob centred at voxel (i, j, k) = (300, 220, 150): tensor z=150, y=220, x=300
    assertEquals(150, pictures.z(), 2);
    assertEquals(220, pictures.y(), 2);
    assertEquals(300, pictures.x(), 2);
    assertEquals("z", pictures.montageAxis());

    Path html = out.resolve("report.html");
    assertTrue(Files.size(html) < 10_000_000, Files.size(html) + " bytes");
    String page = Files.readString(html);
    int a = page.indexOf("id=\"meta\">") + "id=\"meta\">".length();
    Map<String, Object> meta = (Map<String, Object>) Json.parse(page.substring(a, page.indexOf("</script>", a)));
    assertEquals(List.of(256.0, 256.0, 150.0), numbers(meta.get("dims")));
    Map<String, Object> sampled = (Map<String, Object>) meta.get("sampled");
    assertEquals(List.of(2.0, 2.0, 2.0), numbers(sampled.get("step")));
    assertEquals(List.of(512.0, 512.0, 300.0), numbers(sampled.get("dims")));
    assertTrue(((String) sampled.get("note")).contains("256 x 256 x 150 of its 512 x 512 x 300"), (String) sampled.get("note"));
    List<Double> spacing = numbers(meta.get("spacing")); // the header's float 0.7 mm, doubled
    assertEquals(1.4, spacing.get(0), 1e-6);
    assertEquals(1.4, spacing.get(1), 1e-6);
    assertEquals(2.0, spacing.get(2), 1e-6);
  }

  private static List<Double> numbers(Object list) {
    return ((List<?>) list).stream().map(v -> ((Number) v).doubleValue()).toList();
  }
}
