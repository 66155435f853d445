package gradcam3d.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The PyTorch modules found in a graph and their outputs: the floating-point tensors produced
 * inside a module's scope and used outside it (or returned by the model). Element k of a module
 * that returns a tuple or list is output k, numbered in the order of the returned value: graph
 * outputs keep the order the model returns them in, elements gathered by one Concat or
 * SequenceConstruct take its input order, and otherwise the order of computation is a guess
 * (nnU-Net's decoder, for one, computes its list lowest resolution first and returns it reversed).
 */
public final class ModuleIndex {
  private final Map<String, List<String>> outputs;
  private final Map<String, List<Node>> nodesByModule;

  private final Map<String, String> foldedInto;
  private final Set<String> orderGuessed;

  private ModuleIndex(Map<String, List<String>> outputs, Map<String, List<Node>> nodesByModule,
      Map<String, String> foldedInto, Set<String> orderGuessed) {
    this.outputs = outputs;
    this.nodesByModule = nodesByModule;
    this.foldedInto = foldedInto;
    this.orderGuessed = orderGuessed;
  }

  public static ModuleIndex of(Graph g) {
    Map<Node, Set<String>> membership = new HashMap<>();
    Map<String, List<Node>> byModule = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      List<String> chain = ModuleScopes.chain(n);
      membership.put(n, new HashSet<>(chain));
      for (String m : chain) {
        byModule.computeIfAbsent(m, k -> new ArrayList<>()).add(n);
      }
    }
    Map<String, List<Node>> consumers = g.consumers();
    Set<String> graphOutputs = new HashSet<>(g.outputNames());
    Set<String> notFloating = nonFloatingTensors(g);
    Set<String> guessed = new HashSet<>();
    Map<String, List<String>> outs = new LinkedHashMap<>();
    for (Map.Entry<String, List<Node>> e : byModule.entrySet()) {
      String module = e.getKey();
      List<String> list = new ArrayList<>();
      for (Node n : e.getValue()) {
        for (String t : n.outputs()) {
          if (t.isEmpty() || notFloating.contains(t)) {
            continue;  // shape arithmetic leaking out of a module is not what it returns
          }
          boolean usedOutside = graphOutputs.contains(t);
          for (Node c : consumers.getOrDefault(t, List.of())) {
            usedOutside |= !membership.get(c).contains(module);
          }
          if (usedOutside) {
            list.add(t);
          }
        }
      }
      if (!list.isEmpty()) {
        if (!returnOrder(list, g.outputNames(), consumers, membership, module)) {
          guessed.add(module);
        }
        outs.put(module, list);
      }
    }
    Map<String, String> foldedInto = new LinkedHashMap<>();
    return new ModuleIndex(addFoldedSiblings(outs, foldedInto), byModule, foldedInto, guessed);
  }

  /**
   * Puts a module's elements in the order of its returned value when the graph tells it (all
   * are model outputs, or one Concat/SequenceConstruct outside the module gathers them all);
   * returns false when the order of computation had to stand for it.
   */
  private static boolean returnOrder(List<String> elements, List<String> graphOutputs,
      Map<String, List<Node>> consumers, Map<Node, Set<String>> membership, String module) {
    if (elements.size() < 2) {
      return true;
    }
    if (graphOutputs.containsAll(elements)) {
      elements.sort(java.util.Comparator.comparingInt(graphOutputs::indexOf));
      return true;
    }
    for (Node c : consumers.getOrDefault(elements.get(0), List.of())) {
      boolean gathers = (c.opType().equals("Concat") || c.opType().equals("SequenceConstruct"))
          && !membership.get(c).contains(module) && c.inputs().containsAll(elements);
      if (gathers) {
        elements.sort(java.util.Comparator.comparingInt(c.inputs()::indexOf));
        return true;
      }
    }
    return false;
  }

  /** Tensors known to hold integers or booleans (types need no input shape to be inferred). */
  private static Set<String> nonFloatingTensors(Graph g) {
    Set<String> out = new HashSet<>();
    try {
      for (Map.Entry<String, TensorInfo> e : ShapeInference.infer(g, Map.of()).entrySet()) {
        if (!e.getValue().isFloating()) {
          out.add(e.getKey());
        }
      }
    } catch (RuntimeException e) {
      // a rule that needs concrete shapes: keep every tensor rather than fail to list modules
    }
    return out;
  }

  /**
   * Exporters drop modules that are no-ops at inference (BatchNorm folded into the Conv before it,
   * Dropout, Identity), so a container's children show gaps: features.7, features.9 but no
   * features.8. Inside a sequential container a missing child returns what the child before it
   * returned, so it gets that output (recorded as folded into that sibling).
   */
  private static Map<String, List<String>> addFoldedSiblings(Map<String, List<String>> outs,
      Map<String, String> foldedInto) {
    Map<String, java.util.TreeSet<Integer>> children = new LinkedHashMap<>();
    for (String m : outs.keySet()) {
      int dot = m.lastIndexOf('.');
      if (dot > 0 && ModuleScopes.isNumeric(m.substring(dot + 1))) {
        children.computeIfAbsent(m.substring(0, dot), k -> new java.util.TreeSet<>())
            .add(Integer.parseInt(m.substring(dot + 1)));
      }
    }
    Map<String, List<String>> result = new LinkedHashMap<>();
    java.util.Set<String> done = new HashSet<>();
    for (Map.Entry<String, List<String>> e : outs.entrySet()) {
      result.put(e.getKey(), e.getValue());
      String m = e.getKey();
      int dot = m.lastIndexOf('.');
      if (dot <= 0 || !ModuleScopes.isNumeric(m.substring(dot + 1))) {
        continue;
      }
      String parent = m.substring(0, dot);
      int i = Integer.parseInt(m.substring(dot + 1));
      java.util.TreeSet<Integer> present = children.get(parent);
      Integer next = present.higher(i);
      if (next == null || e.getValue().size() != 1) {
        continue;
      }
      for (int k = i + 1; k < next; k++) {
        String folded = parent + "." + k;
        if (done.add(folded)) {
          foldedInto.put(folded, m);
          result.put(folded, e.getValue());
        }
      }
    }
    return result;
  }

  /** Whether the module's elements are numbered in order of computation, not of return. */
  public boolean orderGuessed(String module) {
    return orderGuessed.contains(module);
  }

  /** For a module the exporter folded away, the sibling whose output it shares; else null. */
  public String foldedInto(String module) {
    return foldedInto.get(module);
  }

  /** Module paths in the order their first node appears (outer before inner). */
  public List<String> modules() {
    return new ArrayList<>(outputs.keySet());
  }

  public boolean contains(String module) {
    return outputs.containsKey(module);
  }

  public List<String> outputs(String module) {
    return outputs.getOrDefault(module, List.of());
  }

  public List<Node> nodes(String module) {
    return nodesByModule.getOrDefault(module, List.of());
  }
}
