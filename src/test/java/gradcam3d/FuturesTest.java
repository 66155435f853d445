package gradcam3d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Works on kept threads: named while they run, one thread each at a time, failures as they were. */
class FuturesTest {
  @Test
  void aWorkRunsOnADaemonThreadNamedForIt() {
    String[] seen = new String[1];
    boolean[] daemon = new boolean[1];
    Futures.join(Futures.onOwnThread("naming-test", () -> {
      seen[0] = Thread.currentThread().getName();
      daemon[0] = Thread.currentThread().isDaemon();
      return null;
    }));
    assertEquals("gradcam3d-naming-test", seen[0]);
    assertTrue(daemon[0]);
  }

  @Test
  void worksAtTheSameTimeGetThreadsOfTheirOwnAndMayWaitForEachOther() throws Exception {
    // the outer work waits for an inner one started from it: a thread each, never a deadlock
    CountDownLatch bothRunning = new CountDownLatch(2);
    CompletableFuture<Thread[]> outer = Futures.onOwnThread("outer", () -> {
      bothRunning.countDown();
      CompletableFuture<Thread> inner = Futures.onOwnThread("inner", () -> {
        bothRunning.countDown();
        assertTrue(bothRunning.await(10, TimeUnit.SECONDS));
        return Thread.currentThread();
      });
      return new Thread[] {Thread.currentThread(), Futures.join(inner)};
    });
    Thread[] threads = outer.get(20, TimeUnit.SECONDS);
    assertNotEquals(threads[0], threads[1]);
  }

  @Test
  void aThreadWhoseWorkEndedTakesTheNextAndFailuresComeBackAsThemselves() {
    // works one after the other: an ended work's thread takes a later one (a thread per work
    // would give 20 threads)
    java.util.Set<Thread> threads = new java.util.HashSet<>();
    for (int i = 0; i < 20; i++) {
      threads.add(Futures.join(Futures.onOwnThread("in-turn", Thread::currentThread)));
    }
    assertTrue(threads.size() < 10, threads.size() + " threads for 20 works in turn");
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> Futures.join(Futures.onOwnThread("failing", () -> {
          throw new Gradcam3dException("one line");
        })));
    assertEquals("one line", e.getMessage());
    // the thread is usable after a failure, and named for its next work
    assertEquals("gradcam3d-after", Futures.join(Futures.onOwnThread("after", () -> Thread.currentThread().getName())));
  }
}
