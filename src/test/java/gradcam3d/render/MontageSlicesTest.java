package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Montage slices where the map is, and slice labels with their position in mm. */
class MontageSlicesTest {
  @Test
  void deepVolumeShowsTheSlicesThatCarryTheMap() {
    // 200 slices, mass only on slices 80..119 (40 slices): every 2nd of them, through slice 101
    double[] mass = new double[200];
    for (int z = 80; z < 120; z++) {
      mass[z] = 1;
    }
    MontagePlan p = MontagePlan.where(mass, null, 101, 1);
    assertEquals(2, p.every());
    assertEquals(range(81, 119, 2), p.slices());
    // evenly spaced over the whole volume, the map would get only 5 of the 20 tiles
    assertEquals(5, MontagePlan.of(200, null, 101, 1).slices().stream()
        .filter(z -> z >= 80 && z < 120).count());
  }

  @Test
  void rangeDropsHalfAPercentOfTheMassAtEachEndAndKeepsTheAnchor() {
    double[] mass = new double[100];
    mass[10] = 0.004; // a faint tail below 0.5% of the mass: left out
    for (int z = 40; z < 60; z++) {
      mass[z] = 1;
    }
    assertEquals(range(40, 59, 1), MontagePlan.where(mass, null, 50, 1).slices());
    // a chosen slice far from the map is still shown: the range grows to reach it
    MontagePlan far = MontagePlan.where(mass, null, 90, 1);
    assertEquals(range(40, 90, 3).size(), far.slices().size());
    assertTrue(far.slices().contains(90));
    assertTrue(far.slices().get(0) <= 42);
  }

  @Test
  void smallMapsGetContextAndFlatMapsTheWholeVolume() {
    double[] one = new double[100];
    one[50] = 1;
    // widened one slice at a time on each side, the lower first, to 12 slices
    assertEquals(range(44, 55, 1), MontagePlan.where(one, null, 50, 1).slices());
    double[] edge = new double[100];
    edge[0] = 1;
    assertEquals(range(0, 11, 1), MontagePlan.where(edge, null, 0, 1).slices());
    assertEquals(MontagePlan.of(100, null, 37, 1).slices(),
        MontagePlan.where(new double[100], null, 37, 1).slices());
  }

  @Test
  void givenStepAndShallowVolumesKeepEvenSpacing() {
    double[] mass = new double[200];
    mass[150] = 1;
    assertEquals(MontagePlan.of(200, 7, 150, 1), MontagePlan.where(mass, 7, 150, 1));
    double[] shallow = new double[16];
    shallow[3] = 1;
    assertEquals(range(0, 15, 1), MontagePlan.where(shallow, null, 3, 1).slices());
  }

  @Test
  void montageOfAVolumeWithGeometryLabelsSlicesWithTheirPositionInMm() {
    // 40 slices of 2.5 mm starting at -50 mm; the map around slice 30
    double[] sp = {2.5, 1, 1};
    double[][] affine = {{-1, 0, 0, 10}, {0, -1, 0, 20}, {0, 0, 2.5, -50}};
    FloatTensor cam = Synthetic.volume(40, 16, 16, sp,
        (z, y, x) -> Synthetic.gaussian(z, y, x, new double[] {75, 8, 8}, 4));
    Voxels v = Voxels.of(FloatTensor.zeros(40, 16, 16), cam, null, sp, affine);
    MontageFigure m = new MontageFigure(v, null, 30, 2000);
    assertTrue(m.plan.slices().contains(30));
    int k = m.plan.slices().indexOf(30);
    assertEquals("z=30 25.0mm", m.plan.labels().get(k)); // -50 + 30 * 2.5
    assertEquals("axial z=30 25.0mm", Plane.AXIAL.label(30, v));
    // y runs along world -y from 20 mm: row 5 is at 15 mm; x along world -x from 10 mm
    assertEquals("coronal y=5 15.0mm", Plane.CORONAL.label(5, v));
    assertEquals("sagittal x=12 -2.0mm", Plane.SAGITTAL.label(12, v));
    // without geometry: the index alone
    Voxels npy = Voxels.of(FloatTensor.zeros(40, 16, 16), cam, null, sp);
    assertEquals("axial z=30", Plane.AXIAL.label(30, npy));
  }

  @Test
  void obliqueAxesReportTheWorldAxisTheyRunMostAlong() {
    // the k axis (figure Z) runs mostly along world y, at the slice's centre (i, j) = (3.5, 3.5)
    double[][] affine = {{1, 0, 0.1, 0}, {0, 0.2, 3, 5}, {0, 1, 0, 0}};
    Voxels v = Voxels.of(FloatTensor.zeros(10, 8, 8), FloatTensor.zeros(10, 8, 8), null, null,
        affine);
    assertEquals(0.2 * 3.5 + 3 * 4 + 5, v.positionMm(0, 4), 1e-12);
  }

  private static List<Integer> range(int from, int to, int step) {
    List<Integer> r = new ArrayList<>();
    for (int z = from; z <= to; z += step) {
      r.add(z);
    }
    return r;
  }
}
