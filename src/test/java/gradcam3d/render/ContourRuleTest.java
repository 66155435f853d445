package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contour rule on regions whose shape is known by construction. */
class ContourRuleTest {
  @TempDir Path tmp;

  private static final int N = 24;
  private static final double[] ISO = {1, 1, 1};

  /** A ball of radius 6 voxels around the centre plus three stray voxels: 4 pieces. */
  private static FloatTensor compact() {
    FloatTensor m = Regions.ball(N, N, N, ISO, new double[] {12, 12, 12, 6});
    m.data()[0] = 1;
    m.data()[(3 * N + 20) * N + 2] = 1;
    m.data()[m.size() - 1] = 1;
    return m;
  }

  /** Piece sizes by a plain breadth-first flood fill from each unlabelled voxel in scan order. */
  private static int[] floodFillSizes(float[] mask, int d, int h, int w) {
    int[] label = new int[mask.length];
    java.util.List<Integer> sizes = new java.util.ArrayList<>();
    java.util.ArrayDeque<int[]> queue = new java.util.ArrayDeque<>();
    int[][] steps = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    for (int z = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          if (mask[(z * h + y) * w + x] <= 0.5f || label[(z * h + y) * w + x] != 0) {
            continue;
          }
          int id = sizes.size() + 1;
          int size = 0;
          label[(z * h + y) * w + x] = id;
          queue.add(new int[] {z, y, x});
          while (!queue.isEmpty()) {
            int[] p = queue.poll();
            size++;
            for (int[] s : steps) {
              int zz = p[0] + s[0];
              int yy = p[1] + s[1];
              int xx = p[2] + s[2];
              if (zz >= 0 && zz < d && yy >= 0 && yy < h && xx >= 0 && xx < w
                  && mask[(zz * h + yy) * w + xx] > 0.5f && label[(zz * h + yy) * w + xx] == 0) {
                label[(zz * h + yy) * w + xx] = id;
                queue.add(new int[] {zz, yy, xx});
              }
            }
          }
          sizes.add(size);
        }
      }
    }
    return sizes.stream().mapToInt(Integer::intValue).toArray();
  }

  @Test
  void piecesOfRandomRegionsMatchAFloodFillInScanOrder() {
    java.util.Random r = new java.util.Random(7);
    for (int trial = 0; trial < 20; trial++) {
      int d = 1 + r.nextInt(12);
      int h = 1 + r.nextInt(12);
      int w = 1 + r.nextInt(12);
      double density = 0.2 + 0.5 * r.nextDouble(); // around the percolation threshold: many odd shapes
      float[] m = new float[d * h * w];
      for (int i = 0; i < m.length; i++) {
        m[i] = r.nextDouble() < density ? 1 : 0;
      }
      FloatTensor mask = new FloatTensor(m, d, h, w);
      Voxels v = Voxels.of(new FloatTensor(new float[m.length], d, h, w), new FloatTensor(new float[m.length], d, h, w),
          mask, ISO);
      assertArrayEquals(floodFillSizes(m, d, h, w), ContourDecision.pieceSizes(v), "trial " + trial);
    }
  }

  /**
   * The outline ratio as first written: every inside voxel's six faces looked at one by one
   * (against its neighbour or the image's edge), then weighed by face area over a ball's.
   */
  private static double voxelByVoxelOutlineRatio(float[] mask, int d, int h, int w, double[] sp) {
    boolean[] used = {d > 1, h > 1, w > 1};
    int dims = 0;
    double cell = 1;
    for (int a = 0; a < 3; a++) {
      if (used[a]) {
        dims++;
        cell *= sp[a];
      }
    }
    long inside = 0;
    long[] faces = new long[3];
    for (int z = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          if (!(mask[(z * h + y) * w + x] > 0.5f)) {
            continue;
          }
          inside++;
          faces[0] += (z == 0 || !(mask[((z - 1) * h + y) * w + x] > 0.5f) ? 1 : 0)
              + (z == d - 1 || !(mask[((z + 1) * h + y) * w + x] > 0.5f) ? 1 : 0);
          faces[1] += (y == 0 || !(mask[(z * h + y - 1) * w + x] > 0.5f) ? 1 : 0)
              + (y == h - 1 || !(mask[(z * h + y + 1) * w + x] > 0.5f) ? 1 : 0);
          faces[2] += (x == 0 || !(mask[(z * h + y) * w + x - 1] > 0.5f) ? 1 : 0)
              + (x == w - 1 || !(mask[(z * h + y) * w + x + 1] > 0.5f) ? 1 : 0);
        }
      }
    }
    if (inside == 0) {
      return 0;
    }
    if (dims < 2) {
      return 1;
    }
    double surface = 0;
    for (int a = 0; a < 3; a++) {
      if (used[a]) {
        surface += faces[a] * (cell / sp[a]);
      }
    }
    double volume = inside * cell;
    double ball = dims == 3 ? Math.cbrt(36 * Math.PI * volume * volume)
        : 2 * Math.sqrt(Math.PI * volume);
    return surface / ball;
  }

  /** Pieces (flood fill) and outline ratio (face by face) of a mask equal the decision's, bit for bit. */
  private static void assertShapeMatchesVoxelByVoxel(float[] m, int d, int h, int w, double[] sp,
      boolean asTwoD, String what) {
    FloatTensor mask = asTwoD ? new FloatTensor(m, h, w) : new FloatTensor(m, d, h, w);
    FloatTensor zeros = asTwoD ? FloatTensor.zeros(h, w) : FloatTensor.zeros(d, h, w);
    double[] given = asTwoD ? new double[] {sp[1], sp[2]} : sp;
    ContourDecision dec = ContourDecision.decide(Voxels.of(zeros, zeros, mask, given), ContourRule.AUTO);
    int[] sizes = floodFillSizes(m, d, h, w);
    assertArrayEquals(sizes, ContourDecision.pieceSizes(Voxels.of(zeros, zeros, mask, given)), what);
    assertEquals(sizes.length, dec.pieces(), what);
    assertEquals(Double.doubleToLongBits(voxelByVoxelOutlineRatio(m, d, h, w, sp)),
        Double.doubleToLongBits(dec.outlineRatio()), what + ": ratio " + dec.outlineRatio());
  }

  @Test
  void piecesAndOutlineRatioEqualVoxelByVoxelReferencesOnRandomAndEdgeMasks() {
    java.util.Random r = new java.util.Random(27);
    for (int trial = 0; trial < 60; trial++) {
      // sizes of 1 along any axis, 2D images (depth 1, given as (Y, X)), anisotropic voxels
      boolean asTwoD = trial % 5 == 0;
      int d = asTwoD ? 1 : 1 + r.nextInt(trial % 3 == 0 ? 3 : 14);
      int h = 1 + r.nextInt(trial % 7 == 0 ? 2 : 14);
      int w = 1 + r.nextInt(trial % 4 == 0 ? 2 : 14);
      double[] sp = {asTwoD ? 1 : 0.5 + 2 * r.nextDouble(), 0.5 + 2 * r.nextDouble(), 0.5 + 2 * r.nextDouble()};
      double density = 0.05 + 0.9 * r.nextDouble();
      float[] m = new float[d * h * w];
      for (int i = 0; i < m.length; i++) {
        // values around the 0.5 threshold, not only 0 and 1
        m[i] = r.nextDouble() < density ? 0.5f + Math.ulp(0.5f) + r.nextFloat() : 0.5f * r.nextFloat() + 0.0f;
      }
      assertShapeMatchesVoxelByVoxel(m, d, h, w, sp, asTwoD, "random trial " + trial + " " + d + "x" + h + "x" + w);
    }
    double[] sp = {1.5, 0.7, 1.1};
    for (int[] dhw : new int[][] {{5, 6, 7}, {1, 9, 8}, {4, 1, 6}, {3, 5, 1}, {1, 1, 9}, {1, 1, 1}}) {
      int d = dhw[0];
      int h = dhw[1];
      int w = dhw[2];
      int n = d * h * w;
      float[] full = new float[n];
      java.util.Arrays.fill(full, 1); // one piece touching every face
      float[] empty = new float[n];
      float[] checker = new float[n]; // every inside voxel its own piece
      float[] frame = new float[n]; // the voxels on the image's faces only
      float[] stripes = new float[n]; // runs along x that join only through y or z
      for (int z = 0, i = 0; z < d; z++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++, i++) {
            checker[i] = (z + y + x) % 2 == 0 ? 1 : 0;
            frame[i] = z == 0 || z == d - 1 || y == 0 || y == h - 1 || x == 0 || x == w - 1 ? 1 : 0;
            stripes[i] = x % 3 != 1 || (y + z) % 4 == 0 ? 1 : 0;
          }
        }
      }
      float[] corners = new float[n]; // single voxels in the corners
      corners[0] = 1;
      corners[n - 1] = 1;
      corners[w - 1] = 1;
      corners[n - w] = 1;
      String shape = d + "x" + h + "x" + w;
      assertShapeMatchesVoxelByVoxel(full, d, h, w, sp, false, "full " + shape);
      assertShapeMatchesVoxelByVoxel(empty, d, h, w, sp, false, "empty " + shape);
      assertShapeMatchesVoxelByVoxel(checker, d, h, w, sp, false, "checker " + shape);
      assertShapeMatchesVoxelByVoxel(frame, d, h, w, sp, false, "frame " + shape);
      assertShapeMatchesVoxelByVoxel(stripes, d, h, w, sp, false, "stripes " + shape);
      assertShapeMatchesVoxelByVoxel(corners, d, h, w, sp, false, "corners " + shape);
      if (d == 1) {
        double[] flat = {1, sp[1], sp[2]};
        assertShapeMatchesVoxelByVoxel(checker, d, h, w, flat, true, "2D checker " + shape);
        assertShapeMatchesVoxelByVoxel(frame, d, h, w, flat, true, "2D frame " + shape);
      }
    }
    // the checkerboard's pieces are single voxels: half the image, rounded up
    float[] checker = new float[5 * 6 * 7];
    for (int i = 0, z = 0; z < 5; z++) {
      for (int y = 0; y < 6; y++) {
        for (int x = 0; x < 7; x++, i++) {
          checker[i] = (z + y + x) % 2 == 0 ? 1 : 0;
        }
      }
    }
    FloatTensor c = new FloatTensor(checker, 5, 6, 7);
    int[] ones = new int[105];
    java.util.Arrays.fill(ones, 1);
    assertArrayEquals(ones, ContourDecision.pieceSizes(Voxels.of(FloatTensor.zeros(5, 6, 7),
        FloatTensor.zeros(5, 6, 7), c, ISO)));
  }

  @Test
  void compactRegionIsOutlined() {
    ContourDecision d = decide(compact(), ContourRule.AUTO);
    assertTrue(d.drawn(), d.reason());
    assertEquals(4, d.pieces());
    assertEquals(1, d.mainPieces()); // the ball alone holds > 90% of the voxels
    // 925 lattice points lie within distance 6 of a lattice point (x^2 + y^2 + z^2 <= 36)
    assertEquals((925 + 3) / (double) (N * N * N), d.regionShare(), 1e-12);
    assertTrue(d.reason().startsWith("drawn: a compact region (90% of it in 1 of its 4 pieces, "),
        d.reason());
  }

  @Test
  void fragmentedRegionIsNotOutlined() {
    // 2x2x2 cubes where (z/2 + y/2 + x/2) mod 3 == 0: 12^3 / 3 = 576 cubes sharing no face,
    // a third of the volume; 90% of the region needs ceil(0.9 * 576) = 519 of them
    ContourDecision d = decide(Regions.separateCubes(N, N, N, 2), ContourRule.AUTO);
    assertFalse(d.drawn());
    assertEquals(576, d.pieces());
    assertEquals(519, d.mainPieces());
    assertEquals(1 / 3.0, d.regionShare(), 1e-12);
    assertEquals("skipped: the region is fragmented, 90% of it lies in 519 of its 576 pieces, "
        + "an outline would hide the map", d.reason());
    // 576 cubes of 24 unit faces around 4608 voxels, against a ball of 4608 mm^3
    assertEquals(576 * 24 / Math.cbrt(36 * Math.PI * 4608.0 * 4608.0), d.outlineRatio(), 1e-9);
  }

  @Test
  void spongyRegionInOnePieceIsNotOutlined() {
    // a 21^3 block at offset 2 of a 30^3 volume with a one-voxel hole wherever all three block
    // coordinates are odd: 10^3 holes, one piece. Surface: 6 * 21^2 outside + 6 per hole
    int n = 30;
    float[] m = new float[n * n * n];
    for (int z = 2; z < 23; z++) {
      for (int y = 2; y < 23; y++) {
        for (int x = 2; x < 23; x++) {
          m[(z * n + y) * n + x] = (z % 2 == 1 && y % 2 == 1 && x % 2 == 1) ? 0 : 1;
        }
      }
    }
    Voxels v = Voxels.of(FloatTensor.zeros(n, n, n), FloatTensor.zeros(n, n, n),
        new FloatTensor(m, n, n, n), null);
    ContourDecision d = ContourDecision.decide(v, ContourRule.AUTO);
    assertFalse(d.drawn());
    assertEquals(1, d.pieces());
    double volume = 21 * 21 * 21 - 1000;
    double expected = (6 * 21 * 21 + 6 * 1000) / Math.cbrt(36 * Math.PI * volume * volume);
    assertEquals(expected, d.outlineRatio(), 1e-9);
    assertTrue(expected > ContourDecision.MAX_OUTLINE_RATIO);
    assertTrue(d.reason().startsWith("skipped: the region is ragged, its outline is 4."),
        d.reason());
  }

  @Test
  void outlineRatioOfACubeAndASquareIsKnown() {
    // a cube: 6 a^2 / (36 pi a^6)^(1/3) = 6 / (36 pi)^(1/3); a square: 4 a / (2 sqrt(pi) a)
    // an 8 mm cube of 4 x 8 x 16 voxels of 2 x 1 x 0.5 mm (the field takes mm)
    double[] sp = {2, 1, 0.5};
    FloatTensor cube = Synthetic.volume(N, N, N, sp,
        (z, y, x) -> z >= 8 && z < 16 && y >= 4 && y < 12 && x >= 2 && x < 10 ? 1 : 0);
    Voxels v = Voxels.of(FloatTensor.zeros(N, N, N), FloatTensor.zeros(N, N, N), cube, sp);
    assertEquals(6 / Math.cbrt(36 * Math.PI),
        ContourDecision.decide(v, ContourRule.AUTO).outlineRatio(), 1e-9);
    FloatTensor square = Synthetic.volume(1, N, N, ISO,
        (z, y, x) -> y >= 5 && y < 15 && x >= 3 && x < 13 ? 1 : 0).reshape(N, N);
    Voxels flat = Voxels.of(FloatTensor.zeros(N, N), FloatTensor.zeros(N, N), square, null);
    assertEquals(2 / Math.sqrt(Math.PI),
        ContourDecision.decide(flat, ContourRule.AUTO).outlineRatio(), 1e-9);
  }

  @Test
  void regionCoveringMostOfTheImageIsNotOutlined() {
    // everything but the ball: one piece, but more than half of the image
    FloatTensor ball = Regions.ball(N, N, N, ISO, new double[] {12, 12, 12, 6});
    float[] out = new float[ball.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = 1 - ball.data()[i];
    }
    ContourDecision d = decide(new FloatTensor(out, N, N, N), ContourRule.AUTO);
    assertFalse(d.drawn());
    assertEquals(1, d.pieces());
    assertTrue(d.reason().startsWith("skipped: the region covers 9"), d.reason());
  }

  @Test
  void alwaysAndNeverOverrideTheShape() {
    assertTrue(decide(Regions.separateCubes(N, N, N, 2), ContourRule.ALWAYS).drawn());
    assertFalse(decide(compact(), ContourRule.NEVER).drawn());
    assertFalse(decide(FloatTensor.zeros(N, N, N), ContourRule.ALWAYS).drawn());
    Voxels none = Voxels.of(FloatTensor.zeros(N, N, N), FloatTensor.zeros(N, N, N), null, null);
    assertEquals("no target region to outline",
        ContourDecision.decide(none, ContourRule.AUTO).reason());
  }

  @Test
  void autoDrawsAHalfTransparentLineAndSkipsFragmentedRegionsEntirely() {
    // a CAM ramp under the outline, so the blend is checked on coloured pixels
    FloatTensor cam = Synthetic.volume(N, N, N, ISO, (z, y, x) -> x / (N - 1.0));
    Picture plain = render(cam, compact(), ContourRule.NEVER);
    Picture auto = render(cam, compact(), ContourRule.AUTO);
    Picture always = render(cam, compact(), ContourRule.ALWAYS);
    int changed = 0;
    for (int i = 0; i < plain.rgb.length; i++) {
      if (always.rgb[i] == SliceRenderer.CONTOUR_RGB) {
        changed++;
        assertEquals(Picture.blend(plain.rgb[i], SliceRenderer.CONTOUR_RGB,
            SliceRenderer.AUTO_CONTOUR_ALPHA), auto.rgb[i]);
      } else {
        assertEquals(plain.rgb[i], always.rgb[i]);
        assertEquals(plain.rgb[i], auto.rgb[i]);
      }
    }
    assertTrue(changed > 100, changed + " outline pixels");
    FloatTensor fragments = Regions.separateCubes(N, N, N, 2);
    assertArrayEquals(render(cam, fragments, ContourRule.NEVER).rgb,
        render(cam, fragments, ContourRule.AUTO).rgb);
  }

  @Test
  void decisionIsReturnedWithTheFiguresForSummaryJson() {
    RenderedFigures r = Figures.writeAll(FloatTensor.zeros(N, N, N),
        Synthetic.volume(N, N, N, ISO, (z, y, x) -> Synthetic.gaussian(z, y, x,
            new double[] {12, 12, 12}, 4)), Regions.separateCubes(N, N, N, 2), ISO,
        RenderOptions.defaults(), tmp);
    Map<String, Object> s = r.contour().summary();
    assertEquals("auto", s.get("rule"));
    assertEquals(false, s.get("drawn"));
    assertEquals(576, s.get("pieces"));
    assertEquals(519, s.get("pieces_holding_90pct"));
    assertEquals(1 / 3.0, (double) s.get("region_share"), 1e-12);
  }

  @Test
  void theEarlyAnswerIsTheFullDecisionsWheneverItGivesOne() {
    FloatTensor ball = Regions.ball(N, N, N, ISO, new double[] {12, 12, 12, 6});
    float[] most = new float[ball.size()];
    for (int i = 0; i < most.length; i++) {
      most[i] = 1 - ball.data()[i];
    }
    List<FloatTensor> regions = List.of(compact(), Regions.separateCubes(N, N, N, 2), FloatTensor.zeros(N, N, N),
        new FloatTensor(most, N, N, N), Regions.speckles(N, N, N, 0.3, 7), Regions.speckles(N, N, N, 0.7, 8));
    int early = 0;
    for (ContourRule rule : ContourRule.values()) {
      for (FloatTensor m : regions) {
        Voxels v = Voxels.of(FloatTensor.zeros(N, N, N), FloatTensor.zeros(N, N, N), m, null);
        Boolean quick = ContourDecision.decidedWithoutShape(v, rule);
        if (quick != null) {
          early++;
          assertEquals(ContourDecision.decide(v, rule).drawn(), quick, rule + " region " + regions.indexOf(m));
        }
      }
      Voxels none = Voxels.of(FloatTensor.zeros(N, N, N), FloatTensor.zeros(N, N, N), null, null);
      assertEquals(false, ContourDecision.decidedWithoutShape(none, rule));
    }
    // never and always answer early for every region; auto for the empty one and the two over half
    assertEquals(2 * regions.size() + 3, early);
    assertNull(ContourDecision.decidedWithoutShape(Voxels.of(FloatTensor.zeros(N, N, N),
        FloatTensor.zeros(N, N, N), compact(), null), ContourRule.AUTO));
  }

  @Test
  void ruleNamesAreParsedWithAClearError() {
    assertEquals(ContourRule.AUTO, ContourRule.byName(" Auto "));
    assertEquals("the contour rule must be always, auto or never, not 'sometimes'.",
        assertThrows(Gradcam3dException.class, () -> ContourRule.byName("sometimes"))
            .getMessage());
  }

  private static ContourDecision decide(FloatTensor mask, ContourRule rule) {
    return ContourDecision.decide(Voxels.of(FloatTensor.zeros(N, N, N), FloatTensor.zeros(N, N, N),
        mask, null), rule);
  }

  private static Picture render(FloatTensor cam, FloatTensor mask, ContourRule rule) {
    Voxels v = Voxels.of(Synthetic.volume(N, N, N, ISO, (z, y, x) -> y), cam, mask, null);
    RenderOptions o = RenderOptions.defaults().withContour(rule);
    return new SliceRenderer(v, GrayWindow.robust(v.image), o).render(Plane.AXIAL, 12, 120, 120);
  }
}
