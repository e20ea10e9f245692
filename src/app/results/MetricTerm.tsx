import { useId, type ReactNode } from 'react';
import { METRIC_GLOSSARY, type MetricKey } from './metric-glossary';

/** A metric's name with its definition on hover and on keyboard focus. */
export function MetricTerm({ metric, children }: { metric: MetricKey; children?: ReactNode }) {
  const id = useId();
  const definition = METRIC_GLOSSARY[metric];
  return (
    <span className="term" tabIndex={0} aria-describedby={id} data-metric-term={metric}>
      {children ?? definition.name}
      <span role="tooltip" id={id} className="term-tooltip">
        <strong>{definition.name}</strong> {definition.measures} <em>{definition.better}</em> It cannot tell: {definition.cannotTell.charAt(0).toLowerCase()}
        {definition.cannotTell.slice(1)}
      </span>
    </span>
  );
}

/** The Mono, Cross and Multi column heads (mAP) of the runs table and Table 1. */
export function MapColumnHeads() {
  return (
    <>
      <th scope="col" className="num">
        <MetricTerm metric="mono_map">Mono</MetricTerm>
      </th>
      <th scope="col" className="num">
        <MetricTerm metric="cross_map">Cross</MetricTerm>
      </th>
      <th scope="col" className="num">
        <MetricTerm metric="multi_map">Multi</MetricTerm>
      </th>
    </>
  );
}
