import React from "react";
import { BarChart, Bar, XAxis, YAxis, CartesianGrid, Tooltip } from "recharts";
import { motion } from "framer-motion";

const DATA = [
  { month: "Jan", sales: 42 },
  { month: "Feb", sales: 55 },
  { month: "Mar", sales: 38 },
  { month: "Apr", sales: 71 },
  { month: "May", sales: 64 },
];

export default function SalesChart() {
  return (
    <div className="min-h-screen bg-white p-10">
      <motion.h1 initial={{ opacity: 0 }} animate={{ opacity: 1 }} className="text-3xl font-bold text-slate-900">
        Monthly sales
      </motion.h1>
      <BarChart width={640} height={360} data={DATA} className="mt-6">
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="month" />
        <YAxis />
        <Tooltip />
        <Bar dataKey="sales" fill="#0ea5e9" isAnimationActive={false} />
      </BarChart>
    </div>
  );
}
