import * as echarts from 'echarts';
const c = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 300, height: 200 });
c.setOption({ xAxis: { type: 'category', data: ['a','b'] }, yAxis: { type: 'category', data: ['x'] },
  visualMap: { show: false, min: 0, max: 1, dimension: 2, inRange: { color: ['#fff', '#00f'] } }, series: [{ type: 'heatmap', data: [{ value: [0,0,1], itemStyle: { color: 'rgb(1,2,3)', opacity: 0.3 } }, { value: [1,0,null], itemStyle: { color: 'rgb(9,9,9)' } }] }] });
const s = c.renderToSVGString(); console.log((s.match(/fill="[^"]+"/g)||[]).join(' '), (s.match(/opacity="[^"]+"/g)||[]).join(' '));
