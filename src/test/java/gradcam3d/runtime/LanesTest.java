package gradcam3d.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lane utility: thread split, order of results, and failures that surface and stop everything. */
class LanesTest {
  /** A lane resource that records being closed. */
  static final class Lane implements AutoCloseable {
    final int threads;
    final int id;
    boolean closed;

    Lane(int threads, int id) {
      this.threads = threads;
      this.id = id;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static Lanes<Lane> open(int threads) {
    AtomicInteger ids = new AtomicInteger();
    return Lanes.open(new RuntimeOptions(threads), o -> new Lane(o.threads(), ids.getAndIncrement()));
  }

  @AfterEach
  void noLaneThreadOutlivesItsCall() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      assertTrue(!t.getName().startsWith("gradcam3d-lane-") || !t.isAlive(), "thread still running: " + t);
    }
  }

  @Test
  void threadsAreSplitOverAtMostTwoLanes() {
    assertEquals(1, Lanes.count(1));
    assertEquals(2, Lanes.count(2));
    assertEquals(2, Lanes.count(7));
    try (Lanes<Lane> one = open(1); Lanes<Lane> two = open(2); Lanes<Lane> three = open(3)) {
      assertEquals(List.of(1), one.all().stream().map(l -> l.threads).toList());
      assertEquals(List.of(1, 1), two.all().stream().map(l -> l.threads).toList());
      assertEquals(List.of(2, 1), three.all().stream().map(l -> l.threads).toList());
    }
  }

  @Test
  void closingClosesEveryLaneAndAFailedOpenClosesThoseAlreadyOpen() {
    Lanes<Lane> lanes = open(2);
    lanes.close();
    assertTrue(lanes.all().stream().allMatch(l -> l.closed));
    List<Lane> made = new ArrayList<>();
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> Lanes.open(new RuntimeOptions(2), o -> {
      if (!made.isEmpty()) {
        throw new Gradcam3dException("no session for lane 1");
      }
      Lane l = new Lane(o.threads(), 0);
      made.add(l);
      return l;
    }));
    assertEquals("no session for lane 1", e.getMessage());
    assertTrue(made.get(0).closed, "lane 0 is closed when lane 1 cannot open");
  }

  /** Lane 0's jobs are slow, so results finish out of order; the sink still sees them in order. */
  @Test
  void orderedResultsReachTheSinkInJobOrderOnTheCallingThread() {
    try (Lanes<Lane> lanes = open(2)) {
      List<Integer> seen = new ArrayList<>();
      List<Integer> ranOn = Collections.synchronizedList(new ArrayList<>());
      Thread caller = Thread.currentThread();
      lanes.ordered(9, (lane, j) -> {
        ranOn.add(lane.id);
        if (lane.id == 0) {
          sleep(20);
        }
        return j * j;
      }, (j, r) -> {
        assertSame(caller, Thread.currentThread());
        assertEquals(j * j, r);
        seen.add(j);
      });
      assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), seen);
      assertEquals(5, ranOn.stream().filter(id -> id == 0).count(), "job j runs on lane j mod 2");
    }
  }

  @Test
  void sharedJobsEachRunOnceAcrossLanes() {
    try (Lanes<Lane> lanes = open(2)) {
      int[] runs = new int[50];
      List<Integer> ranOn = Collections.synchronizedList(new ArrayList<>());
      lanes.shared(runs.length, (lane, j) -> {
        runs[j]++;
        ranOn.add(lane.id);
        sleep(1);
      });
      for (int r : runs) {
        assertEquals(1, r);
      }
      assertTrue(ranOn.contains(0) && ranOn.contains(1), "both lanes worked: " + ranOn);
    }
  }

  /**
   * orderedAsFree: results in job order on the calling thread; a lane busy with a long job does not
   * hold the other up (round robin would give it every other job); a job may wait for the sink to
   * have taken an earlier one (as a window's explain step waits for its blend) without a deadlock.
   */
  @Test
  void orderedAsFreeLetsAFreeLaneTakeTheNextJobAndKeepsJobOrder() {
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try (Lanes<Lane> lanes = open(2)) {
        List<Integer> seen = new ArrayList<>();
        int[] sunk = {-1};
        Object lock = new Object();
        List<Integer> ranOn = Collections.synchronizedList(new ArrayList<>(Collections.nCopies(12, -1)));
        Thread caller = Thread.currentThread();
        Lanes.orderedAsFree(lanes.all(), 12, (lane, j) -> {
          ranOn.set(j, lane.id);
          if (j == 0) {
            sleep(300);
          }
          if (j >= 6 && j % 2 == 0) {
            synchronized (lock) { // waits until the sink took job j - 1
              while (sunk[0] < j - 1) {
                try {
                  lock.wait();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              }
            }
          }
          return j * j;
        }, (j, r) -> {
          assertSame(caller, Thread.currentThread());
          assertEquals(j * j, r);
          seen.add(j);
          synchronized (lock) {
            sunk[0] = j;
            lock.notifyAll();
          }
        });
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), seen);
        int lane0 = ranOn.get(0);
        assertEquals(List.of(1 - lane0, 1 - lane0, 1 - lane0), ranOn.subList(1, 4),
            "while job 0 runs the other lane takes jobs 1, 2 and 3: " + ranOn);
      }
    });
  }

  @Test
  void aFailingOrderedAsFreeJobSurfacesAndStopsTheLanes() {
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try (Lanes<Lane> lanes = open(2)) {
        AtomicInteger started = new AtomicInteger();
        List<Integer> seen = new ArrayList<>();
        IllegalArgumentException broken = new IllegalArgumentException("window 3 is broken");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Lanes.orderedAsFree(lanes.all(), 1000, (lane, j) -> {
              started.incrementAndGet();
              if (j == 3) {
                sleep(50);
                throw broken;
              }
              if (j == 5) {
                throw new IllegalStateException("a later failure is not the one reported");
              }
              sleep(2);
              return j;
            }, (j, r) -> seen.add(j)));
        assertSame(broken, e);
        assertEquals(List.of(0, 1, 2), seen, "results before the failure were delivered, none after");
        assertTrue(started.get() < 20, "the lanes stopped: " + started.get() + " jobs started");
      }
    });
  }

  /** A failing job surfaces as its own exception, the other lane stops early, nothing hangs. */
  @Test
  void aFailingOrderedJobSurfacesAndStopsTheOtherLane() {
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try (Lanes<Lane> lanes = open(2)) {
        AtomicInteger started = new AtomicInteger();
        List<Integer> seen = new ArrayList<>();
        IllegalArgumentException broken = new IllegalArgumentException("window 3 is broken");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> lanes.ordered(1000, (lane, j) -> {
              started.incrementAndGet();
              if (j == 3) {
                throw broken;
              }
              if (j == 6) {
                throw new IllegalStateException("a later failure is not the one reported");
              }
              sleep(2);
              return j;
            }, (j, r) -> seen.add(j)));
        assertSame(broken, e);
        assertEquals(List.of(0, 1, 2), seen, "results before the failure were delivered, none after");
        assertTrue(started.get() < 20, "the other lane stopped: " + started.get() + " jobs started");
      }
    });
  }

  /** The sink itself failing stops the lanes too. */
  @Test
  void aFailingSinkStopsTheLanes() {
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try (Lanes<Lane> lanes = open(2)) {
        AtomicInteger started = new AtomicInteger();
        Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> lanes.ordered(1000, (lane, j) -> {
          started.incrementAndGet();
          return j;
        }, (j, r) -> {
          if (j == 2) {
            throw new Gradcam3dException("cannot add window 2");
          }
        }));
        assertEquals("cannot add window 2", e.getMessage());
        assertTrue(started.get() < 20, "lanes stopped: " + started.get() + " jobs started");
      }
    });
  }

  @Test
  void aFailingSharedJobSurfacesAndStopsTheOtherLane() {
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try (Lanes<Lane> lanes = open(2)) {
        AtomicInteger started = new AtomicInteger();
        Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> lanes.shared(1000, (lane, j) -> {
          started.incrementAndGet();
          if (j == 5) {
            throw new Gradcam3dException("volume 5 is broken");
          }
          sleep(2);
        }));
        assertEquals("volume 5 is broken", e.getMessage());
        assertTrue(started.get() < 20, "lanes stopped: " + started.get() + " jobs started");
      }
    });
  }

  @Test
  void oneLaneRunsEverythingOnTheCallingThread() {
    try (Lanes<Lane> lanes = open(1)) {
      Thread caller = Thread.currentThread();
      List<Integer> seen = new ArrayList<>();
      lanes.ordered(4, (lane, j) -> {
        assertSame(caller, Thread.currentThread());
        return j;
      }, (j, r) -> seen.add(r));
      lanes.shared(2, (lane, j) -> assertSame(caller, Thread.currentThread()));
      assertEquals(List.of(0, 1, 2, 3), seen);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
