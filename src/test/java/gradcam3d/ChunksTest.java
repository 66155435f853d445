package gradcam3d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Every chunk runs exactly once, whoever takes it, also with several callers at once; a failure reaches the caller. */
class ChunksTest {
  @Test
  void everyChunkRunsOnceAlsoWithSeveralCallersAtOnce() {
    for (int n : new int[] {0, 1, 2, 3, 17, 1000}) {
      AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(n, 1));
      Chunks.run(n, c -> runs.incrementAndGet(c));
      for (int c = 0; c < n; c++) {
        assertEquals(1, runs.get(c), "chunk " + c + " of " + n);
      }
    }
    // four callers, each with its own job, sharing the pool's threads (as the pictures and the report do)
    int callers = 4;
    int n = 200;
    AtomicIntegerArray runs = new AtomicIntegerArray(callers * n);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int k = 0; k < callers; k++) {
      int caller = k;
      all.add(Futures.onOwnThread("chunks-test-" + k, () -> {
        Chunks.run(n, c -> {
          // a little work, so that the chunks interleave
          double x = 0;
          for (int i = 0; i < 20_000; i++) {
            x += Math.sqrt(i + c);
          }
          if (x > 0) {
            runs.incrementAndGet(caller * n + c);
          }
        });
        return null;
      }));
    }
    all.forEach(Futures::join);
    for (int i = 0; i < callers * n; i++) {
      assertEquals(1, runs.get(i), "caller " + i / n + " chunk " + i % n);
    }
  }

  @Test
  void aFailingChunkFailsTheCallerAfterTheChunksUnderWay() {
    IllegalStateException boom = new IllegalStateException("chunk 5 failed");
    AtomicInteger ran = new AtomicInteger();
    IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Chunks.run(50, c -> {
      if (c == 5) {
        throw boom;
      }
      ran.incrementAndGet();
    }));
    assertSame(boom, thrown);
    // the caller returned only once no chunk was running any more: the count stays as it is
    int after = ran.get();
    Chunks.run(1, c -> { });
    assertEquals(after, ran.get());
    AssertionError error = new AssertionError("an error, not an exception");
    assertSame(error, assertThrows(AssertionError.class, () -> Chunks.run(3, c -> {
      throw error;
    })));
  }
}
