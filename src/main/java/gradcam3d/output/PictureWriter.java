package gradcam3d.output;

import gradcam3d.ShutdownCleanup;
import gradcam3d.cam.Explanation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.render.ContourDecision;
import gradcam3d.render.Figures;
import gradcam3d.render.GrayWindow;
import gradcam3d.render.RenderOptions;
import gradcam3d.render.RenderedFigures;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.volume.Layout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntBinaryOperator;

/**
 * overlay.png and montage.png per sample (sample_b/ folders for a batch), drawn in (Z, Y, X)
 * order whatever the layout, with the target region (where it is on the input grid) outlined as
 * the contour rule decides.
 */
final class PictureWriter implements OutputWriter {
  /**
   * One sample's figures and where they went, with the frame they were drawn in (to report the
   * slices as indices of the model tensor).
   */
  private record Drawn(String prefix, RenderedFigures figures, DisplayGrid grid, Layout layout, long[] tensorShape) {
    DisplayFrame frame() {
      return grid.frame();
    }

    /** A shown figure point (Z, Y, X) as tensor indices in Z, Y, X order (the --slice names). */
    long[] storedZyx(int z, int y, int x) {
      int rank = tensorShape.length;
      long[] figureIndex = rank == 3 ? new long[] {grid.fullIndex(0, z), grid.fullIndex(1, y), grid.fullIndex(2, x)}
          : new long[] {grid.fullIndex(0, y), grid.fullIndex(1, x)};
      long[] tensor = frame().tensorIndex(figureIndex, tensorShape);
      long[] zyx = layout.toZyx(tensor);
      return rank == 3 ? zyx : new long[] {0, zyx[0], zyx[1]};
    }

    /** The tensor axis (z, y or x, in Z, Y, X naming) the figure's axial slices run along, and each slice's index on it. */
    String montageAxis() {
      int rank = tensorShape.length;
      int tensorAxis = frame().map().source()[0];
      int zyxAxis = layout == Layout.XYZ ? rank - 1 - tensorAxis : tensorAxis;
      return String.valueOf("zyx".charAt(zyxAxis + 3 - rank));
    }

    List<Integer> montageSlices(List<Integer> shownSlices) {
      int tensorAxis = frame().map().source()[0];
      boolean flip = frame().map().flip()[0];
      return shownSlices.stream().map(shown -> {
        int z = grid.fullIndex(0, shown);
        return flip ? (int) (tensorShape[tensorAxis] - 1 - z) : z;
      }).toList();
    }

    /** The montage's step in slices of the full grid. */
    Integer every(Integer shownEvery) {
      return shownEvery == null ? null : shownEvery * grid.step()[0];
    }
  }

  private Background<List<Drawn>> drawing;
  private Background<List<GrayWindow>> windows;
  /** The contour decision started on the final segmentation ({@link #beginSegmentation}), or null. */
  private EarlyContour early;

  /** A contour decision on {@code segmentation}'s voxels of {@code regionClass}, under way. */
  private record EarlyContour(Labels segmentation, int regionClass, Background<ContourDecision> decision) {
    /** The decision, if the figures outline exactly these voxels. */
    java.util.concurrent.CompletableFuture<ContourDecision> of(Labels shownSegmentation, int shownClass) {
      return shownClass == regionClass && segmentation.isSameAs(shownSegmentation) ? decision.future() : null;
    }
  }

  /**
   * A predicted class's region is the segmentation's voxels of the class: its contour decision
   * (pieces, outline length; the longest part of the pictures' work on a large scan besides the
   * rendering) starts as soon as the segmentation is final, where the figures show the scan's
   * voxels as they are (full resolution, array order: the mask they outline is these labels).
   */
  @Override
  public Background<?> beginSegmentation(LoadedCase loaded, Layout layout, Labels segmentation, int regionClass,
      OutputSettings o, java.util.function.Supplier<Path> staging) {
    if (!o.pictures() || regionClass < 0 || shown(loaded).dim(0) != 1) {
      return null;
    }
    DisplayFrame frame = DisplayFrame.of(loaded, layout, o.render());
    DisplayGrid grid = DisplayGrid.of(frame);
    if (!grid.fullResolution() || !frame.map().isIdentity()
        || segmentation.size() != gradcam3d.tensor.Shapes.numel(grid.full())) {
      return null;
    }
    Background<ContourDecision> decision = Background.start("contour",
        () -> Figures.contourOf(segmentation, regionClass, grid.full(), grid.spacing(), o.render().contour()));
    early = new EarlyContour(segmentation, regionClass, decision);
    return decision;
  }

  /**
   * Each sample's gray window (1st..99th percentile of its scan) is found while the maps are
   * computed; for a large scan, from the voxels gathered while it is reduced to blocks (which the
   * figures and the report need anyway), not by passes of its own over the scan.
   */
  @Override
  public Background<?> beginInput(LoadedCase loaded, Layout layout, OutputSettings o) {
    if (!o.pictures()) {
      return null;
    }
    FloatTensor input = shown(loaded);
    windows = Background.start("gray-window", () -> {
      DisplayGrid grid = DisplayGrid.of(DisplayFrame.of(loaded, layout, o.render()));
      List<GrayWindow> w = new ArrayList<>();
      for (int b = 0; b < input.dim(0); b++) {
        FloatTensor scan = input.view0(b).view0(0);
        float[] samples = sampledScan(grid, input) ? grid.applyScan(scan).samples() : null;
        // percentiles need no particular voxel order
        w.add(samples != null ? GrayWindow.robustOfSamples(samples) : GrayWindow.robust(scan.data()));
      }
      return w;
    });
    return windows;
  }

  /** The figures are drawn and encoded meanwhile; {@link #write} records them. */
  @Override
  public Background<?> begin(CaseResult r, OutputSettings o, Path dir) {
    if (!o.pictures()) {
      return null;
    }
    Background<List<GrayWindow>> found = windows;
    EarlyContour started = early;
    drawing = Background.start("pictures", () -> draw(r, o, dir, found, started));
    return drawing;
  }

  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) throws IOException {
    if (drawing == null) {
      return;
    }
    for (Drawn d : drawing.join()) {
      RenderedFigures f = d.figures();
      String overlay = d.prefix() + f.overlay().getFileName();
      w.add(overlay);
      String montage = null;
      Integer every = null;
      List<Integer> montageSlices = null;
      String montageAxis = null;
      if (f.montagePng() != null) {
        montage = d.prefix() + f.montagePng().getFileName();
        every = d.every(f.montage().every());
        montageSlices = d.montageSlices(f.montage().slices());
        montageAxis = d.montageAxis();
        w.add(montage);
      }
      long[] at = d.storedZyx(f.slices().z(), f.slices().y(), f.slices().x());
      w.add(new Written.Pictures(overlay, (int) at[0], (int) at[1], (int) at[2], montage, every, montageAxis,
          montageSlices, f.contour().summary()));
    }
  }

  /**
   * The figures of each sample. A large scan's map and region are reduced to blocks first, while
   * the scan is reduced for the gray window ({@code found}, joined only when the figures are
   * drawn): the three reductions side by side rather than one after the other.
   */
  private static List<Drawn> draw(CaseResult r, OutputSettings o, Path dir, Background<List<GrayWindow>> found,
      EarlyContour early) throws IOException {
    Explanation e = r.explanation();
    FloatTensor input = shown(r.loaded());
    long batch = input.dim(0);
    Layout layout = r.settings().layout();
    long[] tensorShape = Arrays.copyOfRange(input.shape(), 2, input.rank());
    // one frame for every figure: anatomical from the affine, array order without one; a large
    // scan is reduced to display resolution before anything is coloured
    DisplayFrame frame = frame(r, o);
    DisplayGrid grid = DisplayGrid.of(frame);
    RenderOptions render = shown(frame.slicesInFigureOrder(o.render(), layout), grid);
    IntBinaryOperator fullIndex = grid.fullResolution() ? null : (axis, shown) -> {
      int d = axis - (3 - tensorShape.length);
      return d < 0 ? shown : grid.fullIndex(d, shown);
    };
    List<Drawn> drawn = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      // views, not copies: a large scan's map is only read, once, into blocks
      FloatTensor contour = null;
      java.util.concurrent.CompletableFuture<ContourDecision> decided = null;
      if (e.region() != null && Arrays.equals(Arrays.copyOfRange(e.region().shape(), 1, e.region().rank()),
          Arrays.copyOfRange(e.cam().shape(), 1, e.cam().rank()))) {
        contour = grid.apply(e.region().view0(b), true);
      } else if (r.windows() != null && r.windows().regionClass() >= 0) {
        // a predicted class's region over a whole scan: its voxels in the segmentation
        contour = grid.applyClass(r.windows().segmentation(), r.windows().regionClass());
        // (an early decision exists only where the figures show the labels as they are: beginSegmentation)
        decided = early == null ? null : early.of(r.windows().segmentation(), r.windows().regionClass());
      }
      FloatTensor cam = grid.apply(e.cam().view0(b), false);
      // a large scan's blocks as the gray window and the report have them (one reduction between them)
      FloatTensor image = sampledScan(grid, input) ? grid.applyScan(input.view0(b).view0(0)).values()
          : grid.apply(input.view0(b).view0(0), false);
      Path sub = batch > 1 ? dir.resolve("sample_" + b) : dir;
      ShutdownCleanup.createFolders(sub);
      List<GrayWindow> windows = found == null ? null : found.join();
      GrayWindow window = windows != null && windows.size() == batch ? windows.get(b) : null;
      drawn.add(new Drawn(batch > 1 ? "sample_" + b + "/" : "", Figures.writeAll(image, cam, contour, grid.spacing(),
          grid.affine(), frame.display(), window, fullIndex, decided, render, sub), grid, layout, tensorShape));
    }
    return drawn;
  }

  /**
   * Whether the scan's gray window comes from the voxels gathered while it is reduced to blocks
   * ({@link DisplayGrid#applyScan}): a large scan, one sample (whose view is the loaded array
   * itself, so that every writer's reduction of it is the same one).
   */
  private static boolean sampledScan(DisplayGrid grid, FloatTensor input) {
    return !grid.fullResolution() && input.dim(0) == 1;
  }

  /** Options whose figure slices and montage step (full grid) are given on the shown grid. */
  private static RenderOptions shown(RenderOptions o, DisplayGrid grid) {
    if (grid.fullResolution()) {
      return o;
    }
    int rank = grid.full().length;
    Integer[] given = {o.z(), o.y(), o.x()};
    Integer[] shown = new Integer[3];
    for (int p = 3 - rank; p < 3; p++) {
      shown[p] = given[p] == null ? null : grid.shownIndex(p - (3 - rank), given[p]);
    }
    Integer every = o.montageEvery() == null ? null
        : Math.max(1, (int) Math.round(o.montageEvery() / (double) grid.step()[0]));
    return o.withSlices(shown[0], shown[1], shown[2]).withMontageEvery(rank == 3 ? every : o.montageEvery());
  }

  /** The figures' frame of a result: its scan's orientation, or array order. */
  static DisplayFrame frame(CaseResult r, OutputSettings o) {
    return DisplayFrame.of(r.loaded(), r.settings().layout(), o.render());
  }

  /** What the figures show: the scan as stored, in its own intensities (HU), [B, C, *S]; a batch as given. */
  static FloatTensor shown(LoadedCase loaded) {
    return loaded.scan() != null ? loaded.scan().batch() : loaded.batch();
  }

}
